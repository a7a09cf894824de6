-- Drives codex-lsp in a real, headless Neovim (0.10 or 0.11+), after the user's init (the
-- shipped config) has run. Started by test/editors/neovim.test.ts:
--
--   nvim --headless --clean -u <init.lua> -c 'luafile test/editors/neovim/run.lua'
--
-- Reads the scenario from $CODEX_TEST_SPEC (JSON), writes what it saw to $CODEX_TEST_RESULT
-- (JSON), and exits with :qa! when every step passed, :cq otherwise. Requests are sent
-- directly (request_sync), never through the interactive pickers, which block a headless run.

local uv = vim.uv or vim.loop
local spec = vim.json.decode(table.concat(vim.fn.readfile(assert(os.getenv('CODEX_TEST_SPEC'))), '\n'))
local result_path = assert(os.getenv('CODEX_TEST_RESULT'))
local nvim011 = vim.fn.has('nvim-0.11') == 1

local result = {
  nvim = tostring(vim.version()),
  ok = false,
  steps = {}, ---@type string[]
  messages = {}, ---@type string[]
}
local started = uv.hrtime()

local function step(name)
  result.steps[#result.steps + 1] = string.format('%6d ms  %s', (uv.hrtime() - started) / 1e6, name)
end

local function finish(ok, err)
  result.ok = ok
  result.error = err
  local f = assert(io.open(result_path, 'w'))
  f:write(vim.json.encode(result))
  f:close()
  io.stdout:write(string.format('codex-lsp neovim %s: %s\n', result.nvim, ok and 'ok' or ('FAILED: ' .. tostring(err))))
  vim.cmd(ok and 'qa!' or 'cq')
end

-- A watchdog: whatever hangs, the editor still reports and exits before the test's own timeout.
vim.defer_fn(function()
  finish(false, 'watchdog: the scenario did not finish within ' .. spec.watchdogMs .. ' ms (last step: '
    .. tostring(result.steps[#result.steps]) .. ')')
end, spec.watchdogMs)

-- Both client API styles: 0.11+ methods (client:request_sync), 0.10 closures (client.request_sync).
local function request_sync(client, method, params, bufnr)
  local res, err
  if nvim011 then
    res, err = client:request_sync(method, params, spec.requestTimeoutMs, bufnr)
  else
    res, err = client.request_sync(method, params, spec.requestTimeoutMs, bufnr)
  end
  if not res then
    error(string.format('%s: no answer (%s)', method, tostring(err)), 0)
  end
  if res.err then
    error(string.format('%s: error %s', method, vim.inspect(res.err)), 0)
  end
  return res.result
end

local function wait_for(what, timeout_ms, pred)
  local ok = vim.wait(timeout_ms, pred, 20)
  if not ok then
    error('timed out after ' .. timeout_ms .. ' ms waiting for ' .. what, 0)
  end
end

local function buffer_text(buf)
  return table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n') .. '\n'
end

local function expect_equal(what, got, want)
  if got ~= want then
    error(string.format('%s:\n--- expected\n%s\n--- got\n%s', what, want, got), 0)
  end
end

local function scenario()
  -- What the server tells the user (window/showMessage) is kept for the report.
  local show = vim.lsp.handlers['window/showMessage']
  vim.lsp.handlers['window/showMessage'] = function(err, params, ctx, config)
    result.messages[#result.messages + 1] = params and params.message or '?'
    return show(err, params, ctx, config)
  end

  vim.cmd.edit(vim.fn.fnameescape(spec.file))
  local buf = vim.api.nvim_get_current_buf()
  result.filetype = vim.bo[buf].filetype
  step('opened ' .. spec.file .. ' (filetype ' .. result.filetype .. ')')

  local client
  wait_for('the codex client to attach', spec.attachTimeoutMs, function()
    client = vim.lsp.get_clients({ bufnr = buf, name = 'codex' })[1]
    return client ~= nil and client.initialized == true
  end)
  result.root_dir = client.root_dir or vim.NIL
  -- What initialize sent and what workspace/configuration answers, JSON-encoded as on the wire.
  result.init_options = vim.json.encode(client.config.init_options or vim.NIL)
  result.settings = vim.json.encode(client.settings or client.config.settings or vim.NIL)
  result.offset_encoding = client.offset_encoding
  result.clients = vim.tbl_map(function(c)
    return c.name
  end, vim.lsp.get_clients({ bufnr = buf }))
  step('attached: client ' .. client.id .. ', root ' .. tostring(client.root_dir))

  -- Hover, where the user would press K.
  local hover_pos = { line = spec.hover.line, character = spec.hover.character }
  local hover = request_sync(client, 'textDocument/hover', {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    position = hover_pos,
  }, buf)
  local contents = hover and hover.contents
  result.hover = type(contents) == 'table' and (contents.value or vim.inspect(contents)) or tostring(contents)
  if not result.hover:find(spec.hover.expect, 1, true) then
    error('hover did not show the model\'s text "' .. spec.hover.expect .. '"; got: ' .. result.hover, 0)
  end
  step('hover: ' .. result.hover:gsub('\n', ' '):sub(1, 80))

  -- The review's findings arrive as diagnostics with source "codex" (pushed or pulled).
  local codex_diags = {}
  wait_for('review diagnostics with source "codex"', spec.diagnosticsTimeoutMs, function()
    codex_diags = vim.tbl_filter(function(d)
      return d.source == 'codex'
    end, vim.diagnostic.get(buf))
    return #codex_diags > 0
  end)
  local d = codex_diags[1]
  result.diagnostics = vim.tbl_map(function(x)
    return { lnum = x.lnum, col = x.col, end_col = x.end_col, message = x.message, severity = x.severity, source = x.source }
  end, codex_diags)
  step(string.format('diagnostic at %d:%d-%d: %s', d.lnum, d.col, d.end_col, d.message))

  -- The code actions for that diagnostic, as gra would list them.
  local lsp_diag = (d.user_data and d.user_data.lsp)
    or {
      range = { start = { line = d.lnum, character = d.col }, ['end'] = { line = d.end_lnum, character = d.end_col } },
      message = d.message,
      severity = d.severity,
      source = d.source,
    }
  local actions = request_sync(client, 'textDocument/codeAction', {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    range = lsp_diag.range,
    context = { diagnostics = { lsp_diag }, triggerKind = 1 },
  }, buf) or {}
  result.actions = vim.tbl_map(function(a)
    return a.title
  end, actions)
  step('actions: ' .. table.concat(result.actions, ' | '))

  -- The instant quick fix: its edit is already there, nothing to resolve.
  local fix
  for _, a in ipairs(actions) do
    if a.kind == 'quickfix' and a.edit and a.title:find(spec.quickFix.title, 1, true) then
      fix = a
      break
    end
  end
  if not fix then
    error('no instant quick fix titled "' .. spec.quickFix.title .. '" among: ' .. table.concat(result.actions, ' | '), 0)
  end
  vim.lsp.util.apply_workspace_edit(fix.edit, client.offset_encoding)
  result.afterQuickFix = buffer_text(buf)
  expect_equal('the buffer after the quick fix "' .. fix.title .. '"', result.afterQuickFix, spec.quickFix.expect)
  step('applied quick fix: ' .. fix.title)

  -- The fixed finding disappears with its text.
  wait_for('the fixed finding to disappear', spec.diagnosticsTimeoutMs, function()
    for _, x in ipairs(vim.diagnostic.get(buf)) do
      if x.source == 'codex' and x.message == d.message then
        return false
      end
    end
    return true
  end)
  step('the finding is gone')

  -- An AI action on the function under the cursor: the edit is computed on codeAction/resolve.
  local cursor = { line = spec.refactor.line, character = spec.refactor.character }
  local listed = request_sync(client, 'textDocument/codeAction', {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    range = { start = cursor, ['end'] = cursor },
    context = { diagnostics = {}, triggerKind = 1 },
  }, buf) or {}
  local refactor
  for _, a in ipairs(listed) do
    if a.title == spec.refactor.title then
      refactor = a
    end
  end
  if not refactor then
    error('no "' .. spec.refactor.title .. '" action among: '
      .. table.concat(vim.tbl_map(function(a) return a.title end, listed), ' | '), 0)
  end
  local resolved = refactor
  if not refactor.edit then
    resolved = request_sync(client, 'codeAction/resolve', refactor, buf)
  end
  if not resolved or not resolved.edit then
    error('codeAction/resolve gave no edit for "' .. spec.refactor.title .. '"; messages: '
      .. table.concat(result.messages, ' / '), 0)
  end
  vim.lsp.util.apply_workspace_edit(resolved.edit, client.offset_encoding)
  result.afterRefactor = buffer_text(buf)
  expect_equal('the buffer after "' .. spec.refactor.title .. '"', result.afterRefactor, spec.refactor.expect)
  step('applied: ' .. spec.refactor.title)

  -- What was sent for this file, as the README shows it: the server opens it (window/showDocument).
  local shown = request_sync(client, 'workspace/executeCommand', {
    command = 'codex.showLastRequest',
    arguments = { vim.uri_from_bufnr(buf) },
  }, buf)
  result.lastRequest = shown and shown.text or vim.inspect(shown)
  wait_for('the last request opened', 3000, function()
    for _, b in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_get_name(b):find('last%-request%.json%.txt$') then
        result.lastRequestBuffer = table.concat(vim.api.nvim_buf_get_lines(b, 0, -1, false), '\n')
        return true
      end
    end
    return false
  end)
  step('showed the last request (' .. #result.lastRequest .. ' characters)')

  -- A live settings change, as the README shows it: the server pulls the new section.
  client.settings.codex = { hover = { enabled = false } }
  if nvim011 then
    client:notify('workspace/didChangeConfiguration', { settings = client.settings })
  else
    client.notify('workspace/didChangeConfiguration', { settings = client.settings })
  end
  local deadline = uv.now() + spec.attachTimeoutMs
  result.hoversUntilQuiet = 0
  while true do
    result.hoversUntilQuiet = result.hoversUntilQuiet + 1
    local res = request_sync(client, 'textDocument/hover', {
      textDocument = { uri = vim.uri_from_bufnr(buf) },
      position = hover_pos,
    }, buf)
    if res == nil or res == vim.NIL then
      break
    end
    if uv.now() > deadline then
      error('hover still answers after hover.enabled = false: ' .. vim.inspect(res), 0)
    end
    vim.wait(50)
  end
  step('hover off after a settings change')

  result.text = buffer_text(buf)
end

local ok, err = xpcall(scenario, function(e)
  return type(e) == 'string' and e or vim.inspect(e)
end)
if ok then
  finish(true)
else
  finish(false, err)
end
