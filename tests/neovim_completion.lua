-- Neovim's own LSP client (0.7 or later) against autocomplete-lsp, headless:
--   nvim --headless --clean FILE -c "luafile tests/neovim_completion.lua"
-- Environment: AUTOCOMPLETE_PYTHON (the interpreter), AUTOCOMPLETE_TIMINGS (requests to time).
-- Prints one line per ask: "<text before the cursor> -> word prob | word prob | ...",
-- then "latency p50_ms p95_ms", and quits (exit code 1 on any failure).
local function fail(message)
  io.stdout:write("FAIL " .. message .. "\n")
  vim.cmd("cquit 1")
end

local cmd = { os.getenv("AUTOCOMPLETE_PYTHON") or "python3", "-m", "autocomplete.lsp" }
local client_id
if vim.lsp.start then -- 0.8+: what a user's config calls
  client_id = vim.lsp.start({ name = "autocomplete", cmd = cmd, root_dir = vim.fn.getcwd() })
else -- 0.7
  client_id = vim.lsp.start_client({ name = "autocomplete", cmd = cmd, root_dir = vim.fn.getcwd() })
  vim.lsp.buf_attach_client(0, client_id)
end

local ready = vim.wait(20000, function()
  local client = vim.lsp.get_client_by_id(client_id)
  return client ~= nil and client.initialized ~= false and client.server_capabilities ~= nil
    and client.server_capabilities.completionProvider ~= nil
end, 20)
if not ready then fail("the server did not initialize") end

-- Type at the end of the buffer as a person would: Neovim sends the change incrementally.
local function type_at_end(text)
  local last = vim.api.nvim_buf_line_count(0) - 1
  local line = vim.api.nvim_buf_get_lines(0, last, last + 1, true)[1]
  vim.api.nvim_buf_set_text(0, last, #line, last, #line, { text })
end

local function complete()
  local last = vim.api.nvim_buf_line_count(0) - 1
  local line = vim.api.nvim_buf_get_lines(0, last, last + 1, true)[1]
  local _, utf16 = vim.str_utfindex(line) -- LSP positions count UTF-16 units
  local params = {
    textDocument = vim.lsp.util.make_text_document_params(),
    position = { line = last, character = utf16 },
  }
  local answers = vim.lsp.buf_request_sync(0, "textDocument/completion", params, 10000)
  local answer = answers and answers[client_id]
  if not answer or answer.err or not answer.result then fail("no completion for " .. line) end
  return line, answer.result.items
end

local function show()
  local line, items = complete()
  table.sort(items, function(a, b) return a.sortText < b.sortText end)
  local shown = {}
  for i = 1, math.min(5, #items) do
    table.insert(shown, items[i].label .. " " .. items[i].detail)
  end
  io.stdout:write(line .. " -> " .. table.concat(shown, " | ") .. "\n")
end

type_at_end("Preciso de ajuda com o meu comput")
show()
vim.api.nvim_buf_set_lines(0, -1, -1, true, { "" })
type_at_end("Segue documento em ")
show()

local timings = {}
for _ = 1, tonumber(os.getenv("AUTOCOMPLETE_TIMINGS") or "0") do
  local started = vim.loop.hrtime()
  complete()
  table.insert(timings, (vim.loop.hrtime() - started) / 1e6)
end
if #timings > 0 then
  table.sort(timings)
  local function at(share) return timings[math.min(#timings, math.floor(share * #timings) + 1)] end
  io.stdout:write(string.format("latency p50 %.2f ms p95 %.2f ms (%d requests)\n", at(0.5), at(0.95), #timings))
end
vim.lsp.stop_client(client_id)
vim.wait(5000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 20)
vim.cmd("qa!")
