-- Argo CD health check for webstack.dev/WebStackBackup (Lua 5.1 as run by gopher-lua).
-- Install: resource.customizations.health.webstack.dev_WebStackBackup in argocd-cm (see argocd-cm.yaml).
-- Healthy once Completed, Degraded once Failed (the operator gave up retrying), Progressing while
-- Pending or Running (a failed attempt waiting for its retry is Pending). The message is the status's.
hs = {}

local function assess(obj)
  local status = obj.status
  if status == nil or status.phase == nil then
    return "Progressing", "Waiting for the operator to take the backup"
  end
  local message = status.message
  if status.phase == "Completed" then
    local where = status.location or "its storage"
    return "Healthy", tostring(status.size or 0) .. " bytes at " .. where
  end
  if status.phase == "Failed" then
    return "Degraded", message or "The backup failed"
  end
  return "Progressing", message or status.phase
end

hs.status, hs.message = assess(obj)
return hs
