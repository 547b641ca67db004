/*
 * A local OpenID provider for the pam_jwt system tests, built on the npm
 * package oidc-provider.  It listens on 127.0.0.1 only and issues RS256
 * JWT access tokens (RFC 9068: typ at+jwt) for the audience "pam-jwt",
 * carrying the test user's name in preferred_username and its groups in
 * "groups".
 *
 * Every test user has a confidential client of its own, and a
 * client_credentials grant on that client stands in for the user's login:
 * the token's sub is the user's account id and its extra claims are the
 * user's.  This keeps token issuance non-interactive while every token
 * still comes out of the library's own token endpoint, signer and key set.
 *
 * Usage:
 *   node server.mjs --port PORT --users USERS.json --jwks-out JWKS.json
 *       [--keys PRIVATE-JWKS.json] [--ttl SECONDS]
 *
 * USERS.json: {"users": [{"name": "alice", "secret": "...",
 *                         "groups": ["ssh-users"]}, ...]}
 * Each user gets the client id "login-NAME" with that secret.
 *
 * Without --keys, a fresh 2048-bit RSA key is made at start: no private
 * key is ever committed.  The public key set is written to --jwks-out
 * (mode 0644) and served at the discovery document's jwks_uri.
 *
 * A token request may carry ttl=SECONDS (1 to 86400) for a token of that
 * lifetime, for the expiry tests.
 *
 * With --helper-secret FILE, the confidential client "pam-jwt-helper"
 * (the secret is the file's first line) may use the refresh_token grant,
 * and refresh tokens rotate (the library's reuse detection then revokes
 * a grant whose used refresh token comes back).  A user's login stands
 * in as a loopback-only test route: POST /test/login with user=NAME
 * (and ttl=SECONDS) makes a grant for that user and the helper's client
 * (scopes openid, offline_access, login), and answers with the token
 * endpoint's response for its refresh token: access_token,
 * refresh_token, id_token, expires_in.  POST /test/revoke with user=NAME
 * revokes every grant of that user, as an administrator would.
 *
 * On start it prints one line of JSON: {"issuer", "jwks_uri",
 * "startup_ms"}.  SIGTERM and SIGINT stop it.
 */

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';

const started = process.hrtime.bigint();

const AUDIENCE = 'pam-jwt';
const RESOURCE = 'urn:pam-jwt';
const SCOPE = 'login';
const CLIENT_PREFIX = 'login-';
const HELPER_CLIENT = 'pam-jwt-helper';
const USERNAME_RE = /^[a-z_][a-z0-9_.-]{0,31}$/;

function die(msg) {
  process.stderr.write(`test-provider: ${msg}\n`);
  process.exit(2);
}

function readJson(path, what) {
  try {
    return JSON.parse(fs.readFileSync(path, 'utf8'));
  } catch (err) {
    return die(`cannot read ${what} ${path}: ${err.message}`);
  }
}

function parseCommandLine() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: process.env.IDP_PORT },
      users: { type: 'string' },
      'jwks-out': { type: 'string' },
      keys: { type: 'string' },
      ttl: { type: 'string', default: '600' },
      'helper-secret': { type: 'string' },
    },
    strict: true,
  });

  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    die('--port (or IDP_PORT) must be a port number');
  }
  const ttl = Number(values.ttl);
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 86400) {
    die('--ttl must be 1 to 86400 seconds');
  }
  if (!values.users) die('--users FILE is required');
  if (!values['jwks-out']) die('--jwks-out FILE is required');
  return {
    port, ttl, users: values.users, jwksOut: values['jwks-out'],
    keys: values.keys, helperSecret: values['helper-secret'],
  };
}

/*
 * The test users, by name.  The account id (sub) is derived from the name
 * so that it is stable across restarts yet visibly not the user name.
 */
function loadUsers(path) {
  const doc = readJson(path, 'users file');
  if (!doc || !Array.isArray(doc.users) || doc.users.length === 0) {
    die(`${path}: expected {"users": [...]} with at least one user`);
  }
  const byName = new Map();
  for (const u of doc.users) {
    if (typeof u.name !== 'string' || !USERNAME_RE.test(u.name)) {
      die(`${path}: bad user name ${JSON.stringify(u.name)}`);
    }
    if (typeof u.secret !== 'string' || u.secret.length < 16) {
      die(`${path}: user ${u.name}: "secret" of 16 characters or more`);
    }
    const groups = u.groups ?? [];
    if (!Array.isArray(groups) || groups.some((g) => typeof g !== 'string')) {
      die(`${path}: user ${u.name}: "groups" must be an array of strings`);
    }
    if (byName.has(u.name)) die(`${path}: user ${u.name} twice`);
    const accountId = crypto.createHash('sha256').update(`account:${u.name}`)
      .digest('hex').slice(0, 32);
    byName.set(u.name, {
      name: u.name, secret: u.secret, groups, accountId,
    });
  }
  return byName;
}

/* RFC 7638 thumbprint of an RSA public key, used as its kid. */
function thumbprint(jwk) {
  const canon = JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n });
  return crypto.createHash('sha256').update(canon).digest('base64url');
}

function loadOrMakeKeys(path) {
  if (path) {
    const jwks = readJson(path, 'private key set');
    if (!jwks || !Array.isArray(jwks.keys) || jwks.keys.length === 0) {
      die(`${path}: expected a JWKS with at least one private key`);
    }
    for (const k of jwks.keys) {
      if (!k.kid || !k.d) die(`${path}: every key needs "kid" and "d"`);
    }
    return jwks;
  }
  const { privateKey } = crypto.generateKeyPairSync('rsa', {
    modulusLength: 2048,
  });
  const jwk = privateKey.export({ format: 'jwk' });
  return {
    keys: [{ ...jwk, kid: thumbprint(jwk), alg: 'RS256', use: 'sig' }],
  };
}

/* The public half of a private JWKS, as jwks_uri serves it. */
function publicJwks(jwks) {
  return {
    keys: jwks.keys.map((k) => {
      const pub = crypto.createPublicKey({ key: k, format: 'jwk' })
        .export({ format: 'jwk' });
      return {
        ...pub, kid: k.kid, alg: k.alg ?? 'RS256', use: k.use ?? 'sig',
      };
    }),
  };
}

function writeFileAtomic(path, text, mode) {
  const tmp = `${path}.tmp${process.pid}`;
  fs.writeFileSync(tmp, text, { mode });
  fs.chmodSync(tmp, mode);
  fs.renameSync(tmp, path);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const parts = [];
    req.on('data', (c) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function isLoopback(addr) {
  return addr === '127.0.0.1' || addr === '::ffff:127.0.0.1';
}

/*
 * The ttl parameter of a token request, else FALLBACK.  A malformed one
 * fails the request: a test asking for 5 seconds must not get 600.
 */
function requestedTtl(ctx, fallback, errors) {
  const raw = ctx?.oidc?.route === 'token' ? ctx.oidc.body?.ttl : undefined;
  if (raw === undefined) return fallback;
  const ttl = Number(raw);
  if (!/^[0-9]+$/.test(String(raw)) || ttl < 1 || ttl > 86400) {
    throw new errors.InvalidRequest('ttl must be 1 to 86400 seconds');
  }
  return ttl;
}

/*
 * Records live in a Map and are dropped a while after they expire: the
 * library's development store is a small LRU that warns at start, and the
 * models check expiry themselves.
 */
const store = new Map();
const KEEP_EXPIRED = 300;

class MapAdapter {
  constructor(model) {
    this.model = model;
  }

  key(id) {
    return `${this.model}:${id}`;
  }

  async upsert(id, payload, expiresIn) {
    const until = expiresIn ? Date.now() + (expiresIn + KEEP_EXPIRED) * 1000
      : Infinity;
    store.set(this.key(id), { payload, until });
    if (payload.grantId) {
      /* What revokeByGrantId drops: every record of the grant. */
      const gkey = `grant-index:${payload.grantId}`;
      const index = store.get(gkey) ?? { payload: [], until };
      index.payload.push(this.key(id));
      index.until = Math.max(index.until, until);
      store.set(gkey, index);
    }
  }

  async find(id) {
    const rec = store.get(this.key(id));
    if (!rec) return undefined;
    if (rec.until < Date.now()) {
      store.delete(this.key(id));
      return undefined;
    }
    return rec.payload;
  }

  async findByUid(uid) {
    for (const [k, rec] of store) {
      if (k.startsWith(`${this.model}:`) && rec.payload.uid === uid) {
        return rec.payload;
      }
    }
    return undefined;
  }

  async findByUserCode(userCode) {
    for (const [k, rec] of store) {
      if (k.startsWith(`${this.model}:`) && rec.payload.userCode === userCode) {
        return rec.payload;
      }
    }
    return undefined;
  }

  async consume(id) {
    const rec = store.get(this.key(id));
    if (rec) rec.payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id) {
    store.delete(this.key(id));
  }

  async revokeByGrantId(grantId) {
    const gkey = `grant-index:${grantId}`;
    for (const k of store.get(gkey)?.payload ?? []) store.delete(k);
    store.delete(gkey);
  }
}

async function main() {
  const opts = parseCommandLine();
  const users = loadUsers(opts.users);
  const jwks = loadOrMakeKeys(opts.keys);
  const issuer = `http://127.0.0.1:${opts.port}`;

  /* Import after the arguments are checked: loading the library is slow. */
  const { default: Provider, errors } = await import('oidc-provider');

  const userOfClient = (clientId) => {
    if (!clientId || !clientId.startsWith(CLIENT_PREFIX)) return undefined;
    return users.get(clientId.slice(CLIENT_PREFIX.length));
  };
  const userOfAccount = (accountId) => {
    for (const u of users.values()) {
      if (u.accountId === accountId) return u;
    }
    return undefined;
  };

  const clients = [...users.values()].map((u) => ({
    client_id: `${CLIENT_PREFIX}${u.name}`,
    client_secret: u.secret,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
  }));

  let helperSecret;
  if (opts.helperSecret) {
    try {
      [helperSecret] = fs.readFileSync(opts.helperSecret, 'utf8').split('\n');
    } catch (err) {
      die(`cannot read ${opts.helperSecret}: ${err.message}`);
    }
    if (helperSecret.length < 16) die('--helper-secret: 16 characters or more');
    clients.push({
      client_id: HELPER_CLIENT,
      client_secret: helperSecret,
      grant_types: ['refresh_token', 'authorization_code'],
      response_types: ['code'],
      redirect_uris: ['http://127.0.0.1/callback'],
      token_endpoint_auth_method: 'client_secret_basic',
    });
  }

  const configuration = {
    adapter: MapAdapter,
    clients,
    jwks,
    cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
    scopes: ['openid', 'offline_access', SCOPE],
    rotateRefreshToken: true,
    claims: { openid: ['sub'], [SCOPE]: ['preferred_username', 'groups'] },
    /*
     * ID tokens carry the scope's claims (preferred_username), as many
     * providers' do: the helper verifies them with the username claim.
     */
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: false },
      introspection: { enabled: true },
      revocation: { enabled: true },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (ctx, indicator) => {
          if (indicator !== RESOURCE) throw new errors.InvalidTarget();
          return {
            scope: SCOPE,
            audience: AUDIENCE,
            accessTokenTTL: opts.ttl,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    async findAccount(ctx, sub) {
      const u = userOfAccount(sub);
      if (!u) return undefined;
      return {
        accountId: u.accountId,
        claims: () => ({
          sub: u.accountId, preferred_username: u.name, groups: u.groups,
        }),
      };
    },
    /*
     * The user's claims go into every access token; they are looked up
     * each time, per account (authorization code) or per client (the
     * client_credentials stand-in for a login).
     */
    async extraTokenClaims(ctx, token) {
      const u = token.accountId ? userOfAccount(token.accountId)
        : userOfClient(token.clientId);
      if (!u) return undefined;
      return { preferred_username: u.name, groups: u.groups };
    },
    formats: {
      customizers: {
        /* The client_credentials stand-in: sub is the user's account. */
        async jwt(ctx, token, jwt) {
          const u = userOfClient(jwt.payload.client_id);
          if (token.kind === 'ClientCredentials' && u) {
            jwt.payload.sub = u.accountId;
          }
        },
      },
    },
    ttl: {
      AccessToken: (ctx, token) => requestedTtl(ctx,
        token.resourceServer?.accessTokenTTL ?? opts.ttl, errors),
      ClientCredentials: (ctx, token) => requestedTtl(ctx,
        token.resourceServer?.accessTokenTTL ?? opts.ttl, errors),
      Grant: 3600,
      IdToken: 600,
      Interaction: 600,
      Session: 3600,
    },
    renderError(ctx, out) {
      ctx.type = 'application/json';
      ctx.body = out;
    },
  };

  const provider = new Provider(issuer, configuration);
  if (helperSecret) {
    provider.use(async (ctx, next) => {
      if (ctx.method !== 'POST' || (ctx.path !== '/test/login'
        && ctx.path !== '/test/revoke')) {
        return next();
      }
      ctx.type = 'application/json';
      const form = new URLSearchParams(await readBody(ctx.req));
      const u = users.get(form.get('user') ?? '');
      if (!u) {
        ctx.status = 400;
        ctx.body = { error: 'invalid_request', error_description: 'user' };
        return undefined;
      }
      if (ctx.path === '/test/revoke') {
        let n = 0;
        for (const [k, rec] of [...store]) {
          if (k.startsWith('Grant:') && rec.payload.accountId === u.accountId) {
            await new MapAdapter('Grant').revokeByGrantId(k.slice(6));
            store.delete(k);
            n += 1;
          }
        }
        ctx.body = { revoked: n };
        return undefined;
      }
      const client = await provider.Client.find(HELPER_CLIENT);
      const grant = new provider.Grant({
        accountId: u.accountId, clientId: HELPER_CLIENT,
      });
      /* SCOPE as an OpenID scope too: its claims go into ID tokens. */
      grant.addOIDCScope(`openid offline_access ${SCOPE}`);
      grant.addResourceScope(RESOURCE, SCOPE);
      const grantId = await grant.save();
      const rt = new provider.RefreshToken({
        accountId: u.accountId,
        client,
        grantId,
        gty: 'authorization_code',
        scope: `openid offline_access ${SCOPE}`,
        resource: RESOURCE,
        authTime: Math.floor(Date.now() / 1000),
      });
      const value = await rt.save();
      const body = new URLSearchParams({
        grant_type: 'refresh_token', refresh_token: value,
      });
      if (form.get('ttl')) body.set('ttl', form.get('ttl'));
      const res = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(
            `${HELPER_CLIENT}:${helperSecret}`,
          ).toString('base64')}`,
        },
        body,
      });
      ctx.status = res.status;
      ctx.body = await res.json();
      return undefined;
    });
  }

  writeFileAtomic(opts.jwksOut, `${JSON.stringify(publicJwks(jwks))}\n`,
    0o644);

  const server = provider.listen(opts.port, '127.0.0.1', () => {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    process.stdout.write(`${JSON.stringify({
      issuer,
      jwks_uri: `${issuer}/jwks`,
      startup_ms: Math.round(ms),
    })}\n`);
  });
  server.on('error', (err) => die(`listen on ${issuer}: ${err.message}`));
  /* Loopback only, whatever the socket is bound to. */
  server.on('connection', (sock) => {
    if (!isLoopback(sock.remoteAddress)) sock.destroy();
  });

  const stop = () => {
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => die(err.stack || String(err)));
