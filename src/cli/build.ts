/** `npm run build`: the server's JavaScript in dist/, rebuilt only when a source changed (`--force`: always). */
import { buildServer, isServerBuildFresh } from '../ops/server-build.js';
import { exitOnCommandError } from './common.js';

try {
  if (!process.argv.includes('--force') && (await isServerBuildFresh())) {
    console.log('Server build is up to date (dist/)');
  } else {
    const built = await buildServer();
    console.log(`Built the server: ${built.files} files in ${Math.round(built.ms)} ms (dist/)`);
  }
} catch (error) {
  exitOnCommandError(error, 'Build');
}
