/** Runs an Argo CD health script with real Lua 5.1 on a Kubernetes object, as Argo CD's gopher-lua would. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const LUA = 'lua5.1';

function luaString(s: string): string {
  // Lua 5.1 has no \u escapes: UTF-8 bytes go through as they are; control characters become \ddd (three digits, so a following digit is not absorbed).
  const escaped = [...s].map((c) => {
    if (c === '\\' || c === '"') return `\\${c}`;
    const code = c.charCodeAt(0);
    return code < 0x20 || code === 0x7f ? `\\${String(code).padStart(3, '0')}` : c;
  });
  return `"${escaped.join('')}"`;
}

/** A Lua table constructor for a JSON value; arrays become sequences starting at 1, as gopher-lua decodes them. */
export function luaLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'string') return luaString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `{ ${value.map(luaLiteral).join(', ')} }`;
  if (typeof value === 'object') {
    return `{ ${Object.entries(value as Record<string, unknown>).map(([k, v]) => `[${luaString(k)}] = ${luaLiteral(v)}`).join(', ')} }`;
  }
  throw new Error(`cannot express ${typeof value} in Lua`);
}

export type Health = { status: string; message: string };

/** Sets the global `obj`, runs `script`, and reads back the returned `hs` table. */
export function runHealthScript(script: string, obj: unknown): Health {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'webstack-lua-'));
  try {
    const harness = path.join(dir, 'harness.lua');
    writeFileSync(harness, [
      `obj = ${luaLiteral(obj)}`,
      `local hs = dofile(${luaString(path.resolve(script))})`,
      'io.write(tostring(hs.status), "\\n", tostring(hs.message))',
      '',
    ].join('\n'));
    const out = execFileSync(LUA, [harness], { encoding: 'utf8', timeout: 20000 });
    const newline = out.indexOf('\n');
    return { status: out.slice(0, newline), message: out.slice(newline + 1) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Serializes the value an action script returns as JSON (tables with keys 1..n are arrays). */
const TO_JSON = `
local function toJson(v)
  local t = type(v)
  if t == "nil" then return "null" end
  if t == "boolean" or t == "number" then return tostring(v) end
  if t == "string" then
    return '"' .. v:gsub('[%c"\\\\]', function(c) return string.format("\\\\u%04x", c:byte()) end) .. '"'
  end
  local n = 0
  for _ in pairs(v) do n = n + 1 end
  if n > 0 and n == #v then
    local parts = {}
    for i = 1, #v do parts[i] = toJson(v[i]) end
    return "[" .. table.concat(parts, ",") .. "]"
  end
  local parts = {}
  for k, x in pairs(v) do parts[#parts + 1] = toJson(tostring(k)) .. ":" .. toJson(x) end
  return "{" .. table.concat(parts, ",") .. "}"
end
`;

/** Sets the global `obj`, runs an Argo CD action or discovery script, and returns what it returns; throws with Lua's error. */
export function runActionScript(script: string, obj: unknown): unknown {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'webstack-lua-'));
  try {
    const harness = path.join(dir, 'harness.lua');
    writeFileSync(harness, [TO_JSON, `obj = ${luaLiteral(obj)}`, `io.write(toJson(dofile(${luaString(path.resolve(script))})))`, ''].join('\n'));
    return JSON.parse(execFileSync(LUA, [harness], { encoding: 'utf8', timeout: 20000, stdio: ['ignore', 'pipe', 'pipe'] }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
