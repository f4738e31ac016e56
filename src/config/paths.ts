import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the project's files are, whether this code runs from its TypeScript sources (tests, the
 * one-shot commands under tsx) or from the JavaScript build in dist/ (the web and worker processes;
 * see src/cli/build.ts). The build mirrors the source tree, so dist/src/config/paths.js is one level deeper.
 */
export const RUNNING_BUILD = import.meta.url.endsWith('.js');
export const PROJECT_ROOT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  RUNNING_BUILD ? '../../..' : '../..',
);
