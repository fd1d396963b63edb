import { columnTypes, strictOnSqlite } from '../dialect.ts';
import type { VigilMigration } from './migration.ts';

/**
 * The intelligence hub: organisations, sharing groups, people (with scrypt password
 * hashes and SHA-256 hashes of bearer tokens, never the secrets), TAXII collections with
 * per-organisation rights, and STIX object versions. `intel_objects.seq` is the order in
 * which versions were added, which is TAXII's date-added order (§3.4) and the key of
 * every page; `is_first` / `is_last` mark the oldest and newest version of each object
 * in its collection, so `match[version]=first|last` is an indexed lookup.
 */
export const intelMigration: VigilMigration = {
  name: '0004-intel',
  async up(db, dialect) {
    const t = columnTypes(dialect);
    await db.schema
      .createTable('intel_orgs')
      .addColumn('org_id', 'text', (c) => c.notNull().primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('parent_id', 'text')
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .$call(strictOnSqlite(dialect))
      .execute();
    await db.schema
      .createTable('intel_groups')
      .addColumn('group_id', 'text', (c) => c.notNull().primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .$call(strictOnSqlite(dialect))
      .execute();
    await db.schema
      .createTable('intel_group_members')
      .addColumn('group_id', 'text', (c) => c.notNull().references('intel_groups.group_id'))
      .addColumn('org_id', 'text', (c) => c.notNull().references('intel_orgs.org_id'))
      .addPrimaryKeyConstraint('intel_group_members_pk', ['group_id', 'org_id'])
      .$call(strictOnSqlite(dialect))
      .execute();
    await db.schema
      .createTable('intel_users')
      .addColumn('user_id', 'text', (c) => c.notNull().primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('intel_orgs.org_id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('password_hash', 'text')
      .addColumn('token_hash', 'text', (c) => c.unique())
      .$call(strictOnSqlite(dialect))
      .execute();
    await db.schema
      .createTable('intel_collections')
      .addColumn('collection_id', 'text', (c) => c.notNull().primaryKey())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('default_tlp', 'text', (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .$call(strictOnSqlite(dialect))
      .execute();
    await db.schema
      .createTable('intel_collection_rights')
      .addColumn('collection_id', 'text', (c) =>
        c.notNull().references('intel_collections.collection_id'),
      )
      .addColumn('org_id', 'text', (c) => c.notNull().references('intel_orgs.org_id'))
      .addColumn('can_read', 'integer', (c) => c.notNull())
      .addColumn('can_write', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('intel_collection_rights_pk', ['collection_id', 'org_id'])
      .$call(strictOnSqlite(dialect))
      .execute();
    await db.schema
      .createTable('intel_objects')
      .addColumn('seq', t.bigint, (c) => c.notNull().primaryKey())
      .addColumn('collection_id', 'text', (c) => c.notNull())
      .addColumn('object_id', 'text', (c) => c.notNull())
      .addColumn('object_type', 'text', (c) => c.notNull())
      // The version (modified, else created, else date added) with nine fraction digits,
      // so that text order is time order; `version` is the same instant as the object says it.
      .addColumn('version_key', 'text', (c) => c.notNull())
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('spec_version', 'text', (c) => c.notNull())
      .addColumn('date_added', t.timestamp, (c) => c.notNull())
      .addColumn('tlp', 'text', (c) => c.notNull())
      .addColumn('owner_org', 'text', (c) => c.notNull())
      .addColumn('owner_user', 'text', (c) => c.notNull())
      .addColumn('recipients', 'text', (c) => c.notNull())
      .addColumn('is_first', 'integer', (c) => c.notNull())
      .addColumn('is_last', 'integer', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .$call(strictOnSqlite(dialect))
      .execute();
    await db.schema
      .createIndex('intel_objects_version')
      .on('intel_objects')
      .columns(['collection_id', 'object_id', 'version_key'])
      .unique()
      .execute();
    await db.schema
      .createIndex('intel_objects_page')
      .on('intel_objects')
      .columns(['collection_id', 'seq'])
      .execute();
    await db.schema
      .createIndex('intel_objects_last')
      .on('intel_objects')
      .columns(['collection_id', 'is_last', 'seq'])
      .execute();
    await db.schema
      .createIndex('intel_objects_added')
      .on('intel_objects')
      .columns(['collection_id', 'date_added', 'seq'])
      .execute();
    // Alerts by jurisdiction: who follows which jurisdiction, and each person's inbox.
    await db.schema
      .createTable('intel_subscriptions')
      .addColumn('user_id', 'text', (c) => c.notNull().references('intel_users.user_id'))
      .addColumn('jurisdiction', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('intel_subscriptions_pk', ['user_id', 'jurisdiction'])
      .$call(strictOnSqlite(dialect))
      .execute();
    await db.schema
      .createTable('intel_alerts')
      .addColumn('alert_id', 'text', (c) => c.notNull().primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('collection_id', 'text', (c) => c.notNull())
      .addColumn('object_id', 'text', (c) => c.notNull())
      .addColumn('via_id', 'text', (c) => c.notNull())
      .addColumn('jurisdiction', 'text', (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .$call(strictOnSqlite(dialect))
      .execute();
    await db.schema
      .createIndex('intel_alerts_inbox')
      .on('intel_alerts')
      .columns(['user_id', 'created_at'])
      .execute();
    await db.schema
      .createTable('intel_status')
      .addColumn('status_id', 'text', (c) => c.notNull().primaryKey())
      .addColumn('collection_id', 'text', (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .$call(strictOnSqlite(dialect))
      .execute();
  },
};
