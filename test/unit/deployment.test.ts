import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/** Docker Compose's `${NAME:-default}` interpolation (nested defaults included), for the given environment. */
function interpolate(text: string, env: Record<string, string>): string {
  let out = text;
  for (let inner = /\$\{(\w+):-([^${}]*)\}/; inner.test(out);)
    out = out.replace(inner, (_, name: string, fallback: string) => env[name] || fallback);
  return out;
}

/** The last stage of the Dockerfile: what the image that runs is made of. */
const runtimeStage = (dockerfile: string) => dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

/** docker-compose.yml and the Dockerfile cannot be run here (no Docker engine): keep them true to the real commands. */
describe('deployment files', () => {
  it('docker-compose.yml runs scripts that exist, with the services the README describes', async () => {
    const compose = parse(await readFile('docker-compose.yml', 'utf8'), { merge: true });
    const scripts = JSON.parse(await readFile('package.json', 'utf8')).scripts as Record<string, string>;
    expect(Object.keys(compose.services)).toEqual(['postgres', 'redis', 'migrate', 'web', 'proxy', 'worker']);
    for (const name of ['migrate', 'web', 'worker']) {
      const [npm, run, script] = compose.services[name].command;
      expect([npm, run]).toEqual(['npm', 'run']);
      expect(scripts, `${name} runs npm run ${script}`).toHaveProperty(script);
      expect(compose.services[name].environment.DATABASE_URL).toMatch(/^postgres:\/\/.+@postgres:5432\/gridbook$/);
      expect(compose.services[name].environment.SESSION_SECRET).toMatch(/:\?/);
    }
    expect(compose.services.redis.command).toEqual(
      expect.arrayContaining(['--appendonly', 'yes', '--maxmemory-policy', 'noeviction']),
    );
  });

  it('runs the web and worker processes as a runtime role, not as the owner, with the audit key required', async () => {
    const compose = parse(await readFile('docker-compose.yml', 'utf8'), { merge: true });
    const owner = compose.services.postgres.environment.POSTGRES_USER as string;
    for (const name of ['migrate', 'web', 'worker']) {
      const env = compose.services[name].environment;
      expect(
        new URL(env.DATABASE_URL.replace(/\$\{[^}]*\}/g, 'x')).username,
        `${name} logs in as the runtime role`,
      ).not.toBe(owner);
      expect(env.AUDIT_KEY).toMatch(/:\?/);
    }
    // Only setup logs in as the owner.
    expect(new URL(compose.services.migrate.environment.DATABASE_OWNER_URL).username).toBe(owner);
    expect(compose.services.web.environment.DATABASE_OWNER_URL).toBeUndefined();
    expect(compose.services.worker.environment.DATABASE_OWNER_URL).toBeUndefined();
  });

  it('can scale web and worker (--scale): only the proxy publishes a host port, and it balances over every web replica', async () => {
    const compose = parse(await readFile('docker-compose.yml', 'utf8'), { merge: true });
    for (const name of ['web', 'worker']) {
      expect(compose.services[name].ports, `${name} publishes no fixed host port`).toBeUndefined();
      expect(compose.services[name].container_name).toBeUndefined();
    }
    expect(compose.services.web.environment.TRUST_PROXY).toMatch(/true/);
    expect(compose.services.proxy.ports).toEqual(['${PORT:-3000}:80']);
    // The address users reach follows the proxy's host port, unless PUBLIC_URL says otherwise.
    const publicUrl = compose.services.web.environment.PUBLIC_URL as string;
    expect(interpolate(publicUrl, {})).toBe('http://localhost:3000');
    expect(interpolate(publicUrl, { PORT: '8080' })).toBe('http://localhost:8080');
    expect(interpolate(publicUrl, { PORT: '8080', PUBLIC_URL: 'https://forms.example.org' })).toBe(
      'https://forms.example.org',
    );
    const [mount] = compose.services.proxy.volumes as string[];
    const conf = await readFile(mount!.split(':')[0]!, 'utf8');
    expect(conf).toMatch(/server web:3000;/);
    expect(conf).toMatch(/proxy_set_header X-Forwarded-For \$remote_addr;/);
  });

  it('the Dockerfile builds the server and bundles the admin at build time, and runs an existing script', async () => {
    const dockerfile = await readFile('Dockerfile', 'utf8');
    const scripts = JSON.parse(await readFile('package.json', 'utf8')).scripts as Record<string, string>;
    expect(dockerfile).toMatch(/^FROM node:20/m);
    expect(dockerfile).toMatch(/RUN npm run build && npm run admin:bundle/);
    // The processes the image runs start from that build.
    for (const script of ['web', 'worker'])
      expect(scripts[script]).toMatch(/^node (--[\w-]+=\S+ )*dist\/src\/cli\/\w+\.js$/);
    expect(scripts.build).toBeDefined();
    const cmd = dockerfile.match(/^CMD \["npm", "run", "([^"]+)"\]/m)![1]!;
    expect(scripts).toHaveProperty(cmd);
    expect(scripts).toHaveProperty('admin:bundle');
    // db:backup and db:restore run pg_dump and pg_restore.
    expect(dockerfile).toMatch(/apt-get install .*postgresql-client/);
  });

  it('the image that runs installs no development tools, and every command it runs starts from the build', async () => {
    const dockerfile = await readFile('Dockerfile', 'utf8');
    const pkg = JSON.parse(await readFile('package.json', 'utf8')) as {
      scripts: Record<string, string>;
      dependencies: Record<string, string>;
    };
    const runtime = runtimeStage(dockerfile);
    expect(runtime).toMatch(/RUN npm ci --omit=dev/);
    expect(runtime).toMatch(/COPY --from=build \/app\/dist \.\/dist/);
    for (const tool of ['tsx', 'esbuild', 'typescript', 'vitest', 'eslint'])
      expect(pkg.dependencies, tool).not.toHaveProperty(tool);
    const compose = parse(await readFile('docker-compose.yml', 'utf8'), { merge: true });
    const commands = ['migrate', 'web', 'worker'].map((name) => compose.services[name].command[2] as string);
    for (const script of [
      ...commands,
      'setup',
      'migrate',
      'db:backup',
      'db:restore',
      'audit:verify',
      'check:integrity',
    ]) {
      expect(pkg.scripts[script], script).toMatch(/^node (--[\w-]+=\S+ )*dist\/src\/cli\/[\w-]+\.js$/);
    }
  });

  it('the image creates the storage folder that docker-compose.yml mounts, owned by the user it runs as', async () => {
    const compose = parse(await readFile('docker-compose.yml', 'utf8'), { merge: true });
    const runtime = runtimeStage(await readFile('Dockerfile', 'utf8'));
    const storage = compose.services.web.environment.STORAGE_DIR as string;
    expect(compose.services.web.volumes).toContain(`storage:${storage}`);
    const user = runtime.match(/^USER (\w+)$/m)![1]!;
    const created = runtime.match(/^RUN mkdir -p ([^&]+) && chown -R (\w+):\w+ (.+)$/m)!;
    expect(created[1]!.split(' ')).toContain(storage);
    expect(created[2]).toBe(user);
    expect(created[3]!.split(' ')).toContain(storage);
    // Created before the image switches to that user.
    expect(runtime.indexOf(created[0])).toBeLessThan(runtime.indexOf(`USER ${user}`));
  });
});
