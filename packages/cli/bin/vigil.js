#!/usr/bin/env node
// The `vigil` command. Vigil's packages are TypeScript run through tsx's loader, so that
// `npx vigil` works straight after `npm ci` with no build step (see docs/architecture.md).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv);
