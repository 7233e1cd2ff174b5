-- Argo CD health check for webstack.dev/WebStack (Lua 5.1 as run by gopher-lua).
-- Install: resource.customizations.health.webstack.dev_WebStack in argocd-cm (see argocd-cm.yaml).
-- Progressing until the operator has observed the current generation; then Healthy when Ready,
-- Degraded when Ready=False because the stack failed (invalid spec, or Degraded=True),
-- Progressing otherwise. The message is the deciding condition's message.
hs = {}

local function findCondition(status, conditionType)
  if status.conditions == nil then
    return nil
  end
  for _, condition in ipairs(status.conditions) do
    if condition.type == conditionType then
      return condition
    end
  end
  return nil
end

local function messageOf(condition, fallback)
  if condition ~= nil and condition.message ~= nil and condition.message ~= "" then
    return condition.message
  end
  return fallback
end

-- Reasons on Ready=False that no amount of waiting will fix.
local failedReasons = { InvalidSpec = true }

local function assess(obj)
  local status = obj.status
  if status == nil then
    return "Progressing", "Waiting for the operator to observe the WebStack"
  end
  local generation = obj.metadata.generation
  if generation ~= nil and (status.observedGeneration == nil or status.observedGeneration < generation) then
    return "Progressing", "Waiting for the operator to observe generation " .. tostring(generation)
  end
  local ready = findCondition(status, "Ready")
  local degraded = findCondition(status, "Degraded")
  if ready ~= nil and ready.status == "True" then
    return "Healthy", messageOf(ready, "Ready")
  end
  if ready ~= nil and ready.status == "False" then
    if failedReasons[ready.reason] then
      return "Degraded", messageOf(ready, ready.reason)
    end
    if degraded ~= nil and degraded.status == "True" then
      return "Degraded", messageOf(degraded, messageOf(ready, "Degraded"))
    end
  end
  return "Progressing", messageOf(ready, messageOf(findCondition(status, "Progressing"), "Waiting for the WebStack to become Ready"))
end

hs.status, hs.message = assess(obj)
return hs
