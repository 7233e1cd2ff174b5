/**
 * Tier weights set at run time. Each haproxy pod has an admin frontend (its own port, reachable only
 * from the operator's pods by NetworkPolicy, and only with the bearer token of the stack's admin
 * Secret) running a small Lua service: POST /weights with one `tier=weight` line per tier sets the
 * weight of every server of that tier in the running process, so a weight change needs no restart.
 * The backup flag has no run-time equivalent in haproxy, and static algorithms (static-rr, source)
 * take no run-time weight other than 0 or the initial one: such changes still roll the pods.
 */
import type { ResolvedSpec } from '../api/defaults.js';

export const HAPROXY_ADMIN_PORT = 8405;
export const HAPROXY_WEIGHTS_PATH = '/weights';
/** The container's variable holding the token; haproxy.cfg reads it as `${...}`. */
export const HAPROXY_ADMIN_TOKEN_ENV = 'WEBSTACK_ADMIN_TOKEN';
/** The admin Secret's key. */
export const HAPROXY_ADMIN_TOKEN_KEY = 'token';
/** The Lua file's key in the haproxy ConfigMap, and its file name beside haproxy.cfg. */
export const HAPROXY_WEIGHTS_LUA_KEY = 'weights.lua';
/** haproxy refuses every admin request while its token is shorter than this (an unset variable is empty). */
export const HAPROXY_ADMIN_TOKEN_MIN_LENGTH = 32;
const LUA_SERVICE = 'webstack_weights';

/** Balance algorithms whose weights haproxy changes at run time (the dynamic ones). */
const LIVE_WEIGHT_ALGORITHMS: ReadonlySet<string> = new Set(['roundrobin', 'leastconn', 'first', 'random']);

export function weightsSetLive(algorithm: string): boolean {
  return LIVE_WEIGHT_ALGORITHMS.has(algorithm);
}

/** The admin frontend's lines of haproxy.cfg. */
export function adminFrontend(bind: string): string[] {
  const token = `\${${HAPROXY_ADMIN_TOKEN_ENV}}`;
  return [
    'frontend admin',
    `  bind ${bind}`,
    '  option dontlog-normal',
    `  http-request deny deny_status 401 if { str("${token}"),length lt ${HAPROXY_ADMIN_TOKEN_MIN_LENGTH} }`,
    `  http-request deny deny_status 401 unless { req.hdr(authorization) -m str "Bearer ${token}" }`,
    `  http-request use-service lua.${LUA_SERVICE} if METH_POST { path ${HAPROXY_WEIGHTS_PATH} }`,
    '  http-request deny deny_status 404',
  ];
}

/**
 * The Lua service: servers of a server-template are named `<tier>-<n>`; every server of a tier named
 * in the request gets its weight. It answers one `server old->new` line per server it changed, or
 * 409 with one `server: why` line per server haproxy refused.
 */
export function weightsLua(backend: string): string {
  return `-- Rendered by webstack-operator: sets app tier weights in the running haproxy (see haproxy-weights.ts).
core.register_service("${LUA_SERVICE}", "http", function(applet)
  local wanted = {}
  for tier, weight in (applet:receive() or ""):gmatch("([%w-]+)=(%d+)") do wanted[tier] = weight end
  local changed, refused = {}, {}
  for name, server in pairs(core.backends["${backend}"].servers) do
    local weight = wanted[name:match("^(.-)%-%d+$") or ""]
    if weight ~= nil and tostring(server:get_weight()) ~= weight then
      local before = server:get_weight()
      local err = server:set_weight(weight)
      if err then refused[#refused + 1] = name .. ": " .. err else changed[#changed + 1] = name .. " " .. before .. "->" .. weight end
    end
  end
  local reply = table.concat(#refused > 0 and refused or changed, "\\n")
  applet:set_status(#refused > 0 and 409 or 200)
  applet:add_header("content-type", "text/plain")
  applet:add_header("content-length", tostring(#reply))
  applet:start_response()
  applet:send(reply)
end)
`;
}

/** A new admin token: 32 random bytes as hex. `randomBytes` is node:crypto's in production, fixed in tests. */
export function newAdminToken(randomBytes: (size: number) => Uint8Array): string {
  return Buffer.from(randomBytes(32)).toString('hex');
}

/** The request body: each tier's weight from the spec. */
export function weightsRequestBody(spec: Pick<ResolvedSpec, 'apps'>): string {
  return spec.apps.map((a) => `${a.name}=${a.weight}\n`).join('');
}
