#!/usr/bin/env node
// `npx showprint …`: the operator CLI, run from TypeScript source through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/showprint.ts');
