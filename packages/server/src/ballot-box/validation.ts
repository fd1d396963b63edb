import { AjvCompiler } from '@fastify/ajv-compiler';
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';
import type { FastifySchemaValidationError } from 'fastify/types/schema.js';

/**
 * Request validation for the ballot box's routes: Fastify's own Ajv setup, except that a
 * field a schema does not list is refused instead of silently dropped (Fastify removes
 * such fields by default). A ballot or a credential with an unexpected field is more
 * likely a client built against another version of the contract than a harmless extra,
 * so the client hears of it, by name: the problem's path is the field
 * (`body.selectionz`) and its message says to remove it.
 */
const buildValidator = AjvCompiler()(
  {},
  { customOptions: { removeAdditional: false, coerceTypes: false }, plugins: [] },
);

export const strictValidatorCompiler: FastifySchemaCompiler<FastifySchema> = (route) => {
  const validate = buildValidator(route) as ((data: unknown) => boolean) & {
    errors?: FastifySchemaValidationError[] | null;
  };
  const strict = (data: unknown): boolean => {
    const valid = validate(data);
    strict.errors = validate.errors?.map((e) =>
      e.keyword === 'additionalProperties' && typeof e.params.additionalProperty === 'string'
        ? {
            ...e,
            instancePath: `${e.instancePath}/${e.params.additionalProperty}`,
            message: 'is not a field of this request; remove it',
          }
        : e,
    );
    return valid;
  };
  strict.errors = undefined as FastifySchemaValidationError[] | undefined;
  return strict;
};
