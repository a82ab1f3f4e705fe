---@meta isms.date
-- What `require "isms.date"` returns, for the language server; see
-- ../isms.lua.

---@type isms.date_module
local date_module = {}

return date_module
