import { expect } from 'vitest';

/**
 * A small browser stand-in for the admin panel's HTTP API: keeps the session cookie, sends the
 * Origin a same-site browser would, and reads AdminJS's JSON answers.
 */
export class AdminClient {
  cookie: string | null = null;

  constructor(
    readonly baseUrl: string,
    private readonly origin: string = baseUrl,
  ) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.cookie ? { cookie: this.cookie } : {}), ...extra };
  }

  private keepCookie(res: Response): void {
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0]!;
  }

  /** Posts the login form; returns the response (302 to /admin on success). */
  async login(email: string, password: string): Promise<Response> {
    const res = await fetch(`${this.baseUrl}/admin/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: this.headers({ 'content-type': 'application/x-www-form-urlencoded', origin: this.origin }),
      body: new URLSearchParams({ email, password }).toString(),
    });
    this.keepCookie(res);
    return res;
  }

  async get(path: string): Promise<Response> {
    const res = await fetch(`${this.baseUrl}${path}`, { redirect: 'manual', headers: this.headers() });
    this.keepCookie(res);
    return res;
  }

  async getJson<T = any>(path: string): Promise<{ status: number; body: T; text: string }> {
    const res = await this.get(path);
    const text = await res.text();
    let body: T;
    try {
      body = JSON.parse(text) as T;
    } catch {
      body = undefined as T;
    }
    return { status: res.status, body, text };
  }

  /** POSTs form fields the way the admin panel does (multipart). */
  async post(
    path: string,
    fields: Record<string, string> = {},
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    const res = await fetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: this.headers({ origin: this.origin, ...headers }),
      body: form,
    });
    this.keepCookie(res);
    return res;
  }

  async postJson<T = any>(path: string, fields: Record<string, string> = {}, headers: Record<string, string> = {}) {
    const res = await this.post(path, fields, headers);
    const text = await res.text();
    let body: T;
    try {
      body = JSON.parse(text) as T;
    } catch {
      body = undefined as T;
    }
    return { status: res.status, body, text };
  }
}

/** `user`'s client from `clients`, signed in (and kept there) on first use; the sign-in must succeed. */
export async function signedInClient(
  clients: Map<string, AdminClient>,
  baseUrl: string,
  user: { id: string; email: string; password: string },
): Promise<AdminClient> {
  let client = clients.get(user.id);
  if (!client) {
    client = new AdminClient(baseUrl);
    expect((await client.login(user.email, user.password)).status).toBe(302);
    clients.set(user.id, client);
  }
  return client;
}
