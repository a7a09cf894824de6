-- codex-lsp for Neovim 0.11+: AI hover explanations, review diagnostics (source "codex") with
-- instant quick fixes, and AI code actions, from a coding model (codex-mini by default).
--
-- Install: copy this file to ~/.config/nvim/lsp/codex.lua (or any lsp/ folder on the
-- 'runtimepath'), put `codex-lsp` on your PATH (`npm link` in the codex-lsp checkout), set
-- CODEX_LSP_API_KEY in the environment Neovim starts from, and add to init.lua:
--
--   vim.lsp.enable('codex')
--
-- Then: K shows the explanation, review findings appear as diagnostics, gra lists the code
-- actions. Change anything without editing this file, for example:
--
--   vim.lsp.config('codex', {
--     cmd = { 'node', '/path/to/codex-lsp/bin/codex-lsp.js', '--stdio' },  -- no `npm link`
--     settings = { codex = { model = 'codex-mini', diagnostics = { trigger = 'change' } } },
--   })
--
-- Settings are the `codex` section of the README's "Configuration" table; they are answered to
-- the server's workspace/configuration requests, so `vim.lsp.config` changes apply to clients
-- started afterwards (or send workspace/didChangeConfiguration to a running one).

---@type vim.lsp.Config
return {
  cmd = { 'codex-lsp', '--stdio' },

  -- No `filetypes`: the server runs beside each language's own server, in every file buffer.
  -- (Secrets files are never sent: see the `ignore` setting.)

  -- Only real files: not help pages, terminals or unnamed scratch buffers (0.12 attaches
  -- configs without `filetypes` to those too, and every review costs tokens). The nearest
  -- folder holding .codex-lsp.json or .git is the workspace root; a file outside any project
  -- gets its own folder. (Replace this function to choose other markers.)
  root_dir = function(bufnr, on_dir)
    local name = vim.api.nvim_buf_get_name(bufnr)
    if vim.bo[bufnr].buftype ~= '' or name == '' then
      return
    end
    on_dir(vim.fs.root(bufnr, { '.codex-lsp.json', '.git' }) or vim.fs.dirname(name))
  end,

  -- The `codex` settings section: empty here, so the server's defaults, the project's
  -- .codex-lsp.json and the environment apply. vim.empty_dict() makes it a JSON object ({})
  -- where a bare {} would be sent as an empty list ([]).
  settings = { codex = vim.empty_dict() },

  -- initializationOptions take the same shape as the settings section.
  init_options = vim.empty_dict(),

  -- Neovim's defaults already carry what the server relies on; stated here because the AI
  -- actions compute their edit on codeAction/resolve, and review fixes travel in `data`.
  capabilities = {
    textDocument = {
      codeAction = {
        dataSupport = true,
        resolveSupport = { properties = { 'edit' } },
      },
    },
  },
}
