// A real OpenID Connect provider for `make run` and the tests: panva's certified `oidc-provider`, on
// loopback only, with the demo people of users.json. Started and stopped by shared/local_servers.py
// (start_oidc_provider), which writes the signing keys file; rotating keys = a new key first in that
// file and a restart of this process (oidc-provider builds its key store once, at start).
//
// Settings (environment):
//   OIDC_PROVIDER_PORT      port on 127.0.0.1 (issuer http://127.0.0.1:<port>)
//   OIDC_PROVIDER_KEYS      path of the private JWKS; the first key signs, the others are still published
//   OIDC_CONSOLE_SECRET     client secret of the staff console (client id selvhjelp-console)
//   OIDC_PARTNER_SECRET     client secret of the demo partner system (client id partner-demo)
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import Provider, { errors } from 'oidc-provider';

const port = Number(process.env.OIDC_PROVIDER_PORT || 5575);
const issuer = `http://127.0.0.1:${port}`;
const keys = JSON.parse(readFileSync(process.env.OIDC_PROVIDER_KEYS, 'utf8'));
const { users } = JSON.parse(readFileSync(new URL('./users.json', import.meta.url), 'utf8'));

// The audiences of the access tokens (resource indicators, RFC 8707): JWTs our APIs verify themselves.
const STAFF_API = 'urn:selvhjelp:staff-api';
const PARTNER_API = 'urn:selvhjelp:partner-api';
const RESOURCE_SERVERS = {
  [STAFF_API]: { scope: 'staff', audience: STAFF_API },
  [PARTNER_API]: { scope: 'registrations:submit', audience: PARTNER_API },
};
const DEFAULT_RESOURCE = { 'selvhjelp-console': STAFF_API, 'partner-demo': PARTNER_API };

function personClaims(user) {
  return {
    selvhjelp_roles: user.roles,
    ...(user.district ? { selvhjelp_district: user.district } : {}),
    ...(user.municipalities ? { selvhjelp_municipalities: user.municipalities } : {}),
  };
}

// The standard e-mail claims (scope `email`): a starter is found in the calendar by its e-mail (ADR 0014).
function emailClaims(user) {
  return user.email ? { email: user.email, email_verified: true } : {};
}

const byName = new Map(users.map((user) => [user.username, user]));

const html = (title, body) => `<!DOCTYPE html><html lang="nb"><head><meta charset="utf-8">
<title>${title}</title><meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:sans-serif;max-width:26rem;margin:3rem auto}label,input,button{display:block;margin:.4rem 0}
input{width:100%;padding:.3rem}.error{color:#a00}</style></head><body>${body}</body></html>`;

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const provider = new Provider(issuer, {
  clients: [
    {
      // A confidential client with PKCE. Registered as "native" only so that loopback redirect URIs
      // match on any port (RFC 8252 §7.3): the tests run the services on free ports.
      client_id: 'selvhjelp-console',
      client_secret: process.env.OIDC_CONSOLE_SECRET || 'local-console-secret',
      application_type: 'native',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: ['http://127.0.0.1/staff/oidc/callback'],
      post_logout_redirect_uris: ['http://127.0.0.1/staff/sign-in', 'http://127.0.0.1/staff/signed-out'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    {
      client_id: 'partner-demo',
      client_secret: process.env.OIDC_PARTNER_SECRET || 'local-partner-secret',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: 'registrations:submit',
    },
  ],
  jwks: keys,
  // Besides the scopes of `claims`: the partner API's, so the partner client may be registered with it.
  scopes: ['openid', 'offline_access', 'registrations:submit'],
  cookies: { keys: [randomBytes(32).toString('hex')] },
  claims: {
    openid: ['sub'],
    profile: ['name'],
    email: ['email', 'email_verified'],
    selvhjelp: ['selvhjelp_roles', 'selvhjelp_district', 'selvhjelp_municipalities'],
  },
  // The scope's claims go into the ID token itself, not only the userinfo endpoint.
  conformIdTokenClaims: false,
  ttl: { AccessToken: 600, IdToken: 600, Interaction: 600, Session: 8 * 3600, Grant: 8 * 3600 },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource: async (ctx, form) => {
        ctx.body = html('Logg ut', `${form}<h1>Logge ut av selvhjelp-innloggingen?</h1>
<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Ja, logg meg ut</button>`);
      },
      postLogoutSuccessSource: async (ctx) => {
        ctx.body = html('Logget ut', '<h1>Du er logget ut.</h1>');
      },
    },
    resourceIndicators: {
      enabled: true,
      defaultResource: async (ctx, client, oneOf) => oneOf || DEFAULT_RESOURCE[client.clientId],
      useGrantedResource: async () => true,
      getResourceServerInfo: async (ctx, indicator) => {
        const server = RESOURCE_SERVERS[indicator];
        if (!server) throw new errors.InvalidTarget();
        return { ...server, accessTokenFormat: 'jwt', accessTokenTTL: 600, jwt: { sign: { alg: 'RS256' } } };
      },
    },
  },
  extraTokenClaims: async (ctx, token) => {
    const user = token.accountId && byName.get(token.accountId);
    return user ? { ...personClaims(user), ...emailClaims(user) } : undefined;
  },
  findAccount: async (ctx, id) => {
    const user = byName.get(id);
    if (!user) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, name: user.name, ...personClaims(user), ...emailClaims(user) }) };
  },
  // First-party clients only: grant what they ask for, so there is no consent screen.
  loadExistingGrant: async (ctx) => {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    let grant = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
    if (!grant) {
      grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    }
    grant.addOIDCScope([...ctx.oidc.requestParamOIDCScopes].join(' '));
    for (const [indicator, server] of Object.entries(ctx.oidc.resourceServers || {})) {
      grant.addResourceScope(indicator, server.scope);
    }
    await grant.save();
    return grant;
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
});

function loginPage(uid, error = '') {
  return html('Logg inn', `<h1>Logg inn (lokal testleverandør)</h1>
${error ? `<p class="error">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login" autocomplete="off">
<label for="username">Brukernavn</label><input id="username" name="username" required autofocus>
<label for="password">Passord</label><input id="password" name="password" type="password" required>
<button type="submit">Logg inn</button></form>`);
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 10000) throw new Error('form too large');
  }
  return new URLSearchParams(body);
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new errors.SessionNotFound('interaction mismatch');
  res.setHeader('Cache-Control', 'no-store');
  if (action === 'login' && req.method === 'POST') {
    const form = await readForm(req);
    const user = byName.get(form.get('username') || '');
    if (!user || user.password !== form.get('password')) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(loginPage(uid, 'Feil brukernavn eller passord.'));
      return;
    }
    await provider.interactionFinished(req, res, { login: { accountId: user.username } }, { mergeWithLastSubmission: false });
    return;
  }
  if (details.prompt.name === 'consent') {
    // Only reached when a grant lacks something loadExistingGrant did not add: grant it (first party).
    const grant = new provider.Grant({ clientId: details.params.client_id, accountId: details.session.accountId });
    grant.addOIDCScope(String(details.params.scope || 'openid'));
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    return;
  }
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end(loginPage(uid));
}

const handle = provider.callback();
const server = createServer(async (req, res) => {
  const match = req.url.match(/^\/interaction\/([\w-]+)(?:\/(login))?$/);
  if (!match) {
    handle(req, res);
    return;
  }
  try {
    await interaction(req, res, match[1], match[2]);
  } catch (error) {
    res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(`sign-in failed: ${error.message}`);
  }
});
server.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider ${issuer} up; signing key ${keys.keys[0].kid}`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
