-- Argo CD resource actions for webstack.dev/WebStack (Lua 5.1 as run by gopher-lua).
-- Install: resource.customizations.actions.webstack.dev_WebStack in argocd-cm (see argocd-cm.yaml).
-- switchover is offered while a ready replica can take over; backup always.
local actions = {}
actions["switchover"] = {["disabled"] = true}
actions["backup"] = {["disabled"] = false}

if obj.status ~= nil and obj.status.database ~= nil and obj.status.database.instances ~= nil then
  for _, instance in ipairs(obj.status.database.instances) do
    if instance.role == "replica" and instance.ready then
      actions["switchover"]["disabled"] = false
    end
  end
end
return actions
