;;; codex-lsp.el --- AI hover, review diagnostics and code actions via codex-lsp -*- lexical-binding: t; -*-

;; Copyright (C) 2025 The codex-lsp authors

;; Author: The codex-lsp authors
;; Version: 0.1.0
;; Package-Requires: ((emacs "29.1"))
;; Keywords: languages, tools, convenience
;; SPDX-License-Identifier: MIT

;; This file is not part of GNU Emacs.

;;; Commentary:

;; codex-lsp is a language server that brings a coding model (codex-mini
;; through CometAPI, or any OpenAI-compatible endpoint) into the editor:
;;
;;  - hover explanations of the code at point (eldoc, or `M-x eldoc');
;;  - review diagnostics, source "codex", in Flymake or Flycheck, each with
;;    an instant quick fix where the model gave an exact replacement;
;;  - code actions: "Fix with codex" (also for other tools' diagnostics),
;;    "Refactor with codex", "Add documentation (codex)" and your own
;;    prompts (`M-x eglot-code-actions' or `M-x lsp-execute-code-action').
;;
;; This file only tells Emacs how to start the server (`codex-lsp --stdio',
;; see `codex-lsp-command') and which settings to send it
;; (`codex-lsp-settings').  The API key is best put in the environment Emacs
;; starts from: CODEX_LSP_API_KEY (or COMETAPI_KEY).
;;
;; Two clients are supported; pick one per major mode:
;;
;; lsp-mode (runs codex-lsp BESIDE the language's own server):
;;
;;     (with-eval-after-load 'lsp-mode (require 'codex-lsp))
;;     (add-hook 'prog-mode-hook #'lsp-deferred)
;;
;;   codex-lsp is registered as an add-on client (`:add-on? t'): lsp-mode
;;   starts it in addition to pyright, typescript-language-server, etc.
;;   Which buffers it joins is `codex-lsp-modes' (default: every mode
;;   derived from `prog-mode').
;;
;; Eglot (built in; codex-lsp REPLACES the language's own server):
;;
;;     (require 'codex-lsp)
;;     (codex-lsp-eglot-setup '(python-mode python-ts-mode))
;;     (add-hook 'python-base-mode-hook #'eglot-ensure)
;;
;;   Eglot manages each buffer with exactly one server: for a buffer it
;;   takes the first entry of `eglot-server-programs' whose major mode
;;   matches, and starts (or reuses) that one server.  So for the modes you
;;   give `codex-lsp-eglot-setup', codex-lsp is the only server, and you
;;   lose that language's own server (completion, go-to-definition,
;;   compiler errors) in those buffers.  Emacs 30's Eglot has no way to run
;;   two servers for one buffer.  Hence:
;;
;;    - want codex next to your language server?  Use lsp-mode for those
;;      modes (or put an LSP multiplexer that presents several servers as
;;      one in `eglot-server-programs');
;;    - want codex alone, or only for modes that have no server of their
;;      own (shell scripts, SQL, configuration files, ...)?  Use Eglot, and
;;      give `codex-lsp-eglot-setup' just those modes, or call it with
;;      APPEND so that codex-lsp only serves modes no other entry claims.
;;
;; Settings go to the server both as `initializationOptions' and as the
;; `codex' section of `workspace/configuration'; after changing
;; `codex-lsp-settings' with `setq', run `M-x codex-lsp-reload-settings'
;; (Customize does it for you).  Per project, prefer a `.codex-lsp.json'
;; file, which the server reads itself.

;;; Code:

(require 'cl-lib)
(require 'subr-x)
(eval-when-compile (require 'eieio))

(defgroup codex-lsp nil
  "AI hover, review diagnostics and code actions from the codex-lsp server."
  :group 'tools
  :prefix "codex-lsp-")

(defcustom codex-lsp-command '("codex-lsp" "--stdio")
  "Command line that starts the server, speaking LSP on stdin/stdout.
Without `npm link', use node and the full path of the checkout, for
example (\"node\" \"/path/to/codex-lsp/bin/codex-lsp.js\" \"--stdio\")."
  :type '(repeat string))

(defun codex-lsp--set-settings (symbol value)
  "Set SYMBOL to VALUE and tell the running codex-lsp servers."
  (set-default-toplevel-value symbol value)
  (codex-lsp-reload-settings))

(defcustom codex-lsp-settings nil
  "Settings sent to codex-lsp: the `codex' section, as a plist.
Keys are those of the server's settings (see its README), with nested
sections as nested plists, JSON arrays as vectors, and `:json-false'
for false.  For example:

  (:model \"codex-mini\"
   :hover (:delayMs 250)
   :diagnostics (:trigger \"save\")
   :ignore [\"fixtures/**\"]
   :codeActions (:custom [(:title \"Translate comments to English\"
                           :prompt \"Translate every comment to English.\")]))

An alist with symbol keys is accepted as well.  nil sends an empty
object, leaving the server's defaults (and the environment) in force.
Keep the API key in the environment rather than here."
  :type '(choice (const :tag "Server defaults" nil)
                 (plist :key-type (symbol :tag "Key (keyword)")
                        :value-type (sexp :tag "Value")))
  :initialize #'custom-initialize-default
  :set #'codex-lsp--set-settings)

(defcustom codex-lsp-modes '(prog-mode)
  "Major modes, or parents of major modes, that lsp-mode runs codex-lsp in.
A buffer visiting a file joins when its major mode derives from one of
these.  Used by the lsp-mode client only; for Eglot see
`codex-lsp-eglot-setup'."
  :type '(repeat (symbol :tag "Major mode")))

(defun codex-lsp--settings ()
  "The `codex' settings object, ready to be encoded as JSON."
  (or codex-lsp-settings (make-hash-table :test #'equal)))

(defun codex-lsp--empty-object ()
  "An empty JSON object.
Sent as initializationOptions: the settings travel by `workspace/configuration'
only, so a setting removed from `codex-lsp-settings' is really gone after
`codex-lsp-reload-settings' (initializationOptions stay for the whole session)."
  (make-hash-table :test #'equal))

(defconst codex-lsp--user-only-keys '("apiKey" "baseUrl" "prices" "budget")
  "Settings a project may not choose: where code and key are sent, and spending.")

(defun codex-lsp--without-user-only (section)
  "SECTION (a plist, alist or hash table) without `codex-lsp--user-only-keys'.
A project's .dir-locals.el can set `eglot-workspace-configuration' without
asking, so a cloned repository must not redirect the code or the key."
  (cond ((hash-table-p section)
         (let ((copy (copy-hash-table section)))
           (dolist (k codex-lsp--user-only-keys) (remhash k copy))
           copy))
        ((and (consp section) (keywordp (car section)))
         (let (out)
           (while section
             (unless (member (substring (symbol-name (car section)) 1)
                             codex-lsp--user-only-keys)
               (setq out (cons (cadr section) (cons (car section) out))))
             (setq section (cddr section)))
           (nreverse out)))
        ((consp section)
         (cl-remove-if (lambda (cell)
                         (member (format "%s" (car-safe cell))
                                 codex-lsp--user-only-keys))
                       section))
        (t section)))

(defun codex-lsp--get (object key)
  "KEY (a string) of the decoded JSON OBJECT, a plist or a hash table."
  (cond ((hash-table-p object) (gethash key object))
        ((and (consp object) (keywordp (car object)))
         (plist-get object (intern (concat ":" key))))
        ((consp object) (cdr (assoc-string key object)))))

(defun codex-lsp--configuration-answer (items)
  "Answer a `workspace/configuration' request for ITEMS (a sequence).
The `codex' section is `codex-lsp-settings'; other sections are null."
  (apply #'vector
         (mapcar (lambda (item)
                   (when (equal (codex-lsp--get item "section") "codex")
                     (codex-lsp--settings)))
                 items)))

;;;; lsp-mode

(defvar lsp--cur-workspace)
(declare-function lsp-register-client "ext:lsp-mode" (client))
(declare-function make-lsp-client "ext:lsp-mode" (&rest args))
(declare-function lsp-stdio-connection "ext:lsp-mode"
                  (command &optional test-command))
(declare-function lsp-notify "ext:lsp-mode" (method params))
(declare-function lsp-workspaces "ext:lsp-mode" ())
(declare-function lsp--session-workspaces "ext:lsp-mode" (session))
(declare-function lsp-session "ext:lsp-mode" ())
(declare-function lsp--workspace-client "ext:lsp-mode" (workspace))
(declare-function lsp--client-server-id "ext:lsp-mode" (client))

(defun codex-lsp--lsp-mode-activate-p (file-name mode)
  "Whether lsp-mode should start codex-lsp for FILE-NAME in major MODE."
  (and file-name
       (cl-some (lambda (parent) (provided-mode-derived-p mode parent))
                codex-lsp-modes)
       t))

(defun codex-lsp--lsp-mode-language-id (buffer)
  "The LSP languageId of BUFFER: its major mode's name, without -mode.
The server maps unknown or generic ids to a language by file name."
  (replace-regexp-in-string
   "\\(?:-ts\\)?-mode\\'" ""
   (symbol-name (buffer-local-value 'major-mode buffer))))

(defun codex-lsp--lsp-mode-configuration (_workspace params)
  "Answer the server's `workspace/configuration' request PARAMS."
  (codex-lsp--configuration-answer (codex-lsp--get params "items")))

(defun codex-lsp--lsp-mode-register ()
  "Register codex-lsp with lsp-mode as an add-on client."
  (let ((handlers (make-hash-table :test #'equal)))
    (puthash "workspace/configuration" #'codex-lsp--lsp-mode-configuration
             handlers)
    (lsp-register-client
     (make-lsp-client
      :server-id 'codex-lsp
      :new-connection (lsp-stdio-connection (lambda () codex-lsp-command))
      :activation-fn #'codex-lsp--lsp-mode-activate-p
      :language-id #'codex-lsp--lsp-mode-language-id
      ;; Started in addition to the language's own server, never instead.
      :add-on? t
      :priority -1
      :initialization-options #'codex-lsp--empty-object
      :request-handlers handlers))))

(defun codex-lsp--lsp-mode-workspaces ()
  "The running lsp-mode workspaces of codex-lsp."
  (when (fboundp 'lsp-session)
    (cl-remove-if-not
     (lambda (workspace)
       (eq (lsp--client-server-id (lsp--workspace-client workspace))
           'codex-lsp))
     (lsp--session-workspaces (lsp-session)))))

(with-eval-after-load 'lsp-mode
  (codex-lsp--lsp-mode-register))

;;;; Eglot

(defvar eglot-server-programs)
(declare-function jsonrpc-notify "jsonrpc" (connection method params))
(declare-function jsonrpc-running-p "jsonrpc" (connection))

;; The class is defined once Eglot is loaded (it derives from Eglot's), so
;; that loading this file does not load Eglot; these come with it.
(declare-function eieio-defclass-internal "eieio-core"
                  (cname superclasses slots options))
(declare-function eieio-make-class-predicate "eieio-core" (class))
(declare-function eieio-make-child-predicate "eieio-core" (class))
(declare-function codex-lsp-eglot-server--eieio-childp "codex-lsp" (obj))

(defvar codex-lsp--eglot-servers nil
  "Eglot connections to codex-lsp started in this session.")

(with-eval-after-load 'eglot
  (defclass codex-lsp-eglot-server (eglot-lsp-server) ()
    :documentation "An Eglot connection to codex-lsp.")

  (cl-defmethod initialize-instance :after
    ((server codex-lsp-eglot-server) &rest _)
    (push server codex-lsp--eglot-servers))

  (cl-defmethod eglot-initialization-options ((_server codex-lsp-eglot-server))
    "Send an empty object: settings travel by `workspace/configuration'."
    (codex-lsp--empty-object))

  (cl-defmethod eglot-handle-request
    ((_server codex-lsp-eglot-server)
     (_method (eql workspace/configuration)) &key items)
    "Answer the `codex' section of `workspace/configuration' ITEMS.
From `eglot-workspace-configuration' if it has one (in .dir-locals.el,
say; never its apiKey, baseUrl, prices or budget), else from
`codex-lsp-settings'."
    (let ((answers (cl-call-next-method))
          (ours (codex-lsp--configuration-answer items)))
      (cl-loop for i below (length answers)
               do (aset answers i (if (aref answers i)
                                      (codex-lsp--without-user-only (aref answers i))
                                    (aref ours i))))
      answers)))

(defun codex-lsp--eglot-contact (&optional _interactive _project)
  "The `eglot-server-programs' contact for codex-lsp."
  (cons 'codex-lsp-eglot-server codex-lsp-command))

(defun codex-lsp--eglot-entry-p (entry)
  "Whether ENTRY of `eglot-server-programs' is codex-lsp's."
  (eq (cdr-safe entry) #'codex-lsp--eglot-contact))

;;;###autoload
(defun codex-lsp-eglot-setup (&optional modes append)
  "Make Eglot use codex-lsp for MODES, a major mode or a list of them.
MODES defaults to `prog-mode', which covers every programming mode, as
Eglot matches derived modes.  Eglot runs ONE server per buffer: for
these modes codex-lsp takes the place of the language's own server,
because this entry goes first in `eglot-server-programs'.  With
APPEND non-nil it goes last instead, so that codex-lsp only serves the
modes that no other entry claims.  Calling this again replaces the
earlier entry.

Interactively, ask for one major mode (default: the current one); with
a prefix argument, APPEND."
  (interactive
   (list (intern (completing-read "Use codex-lsp with Eglot for major mode: "
                                  obarray
                                  (lambda (s)
                                    (and (commandp s)
                                         (string-suffix-p "-mode"
                                                          (symbol-name s))))
                                  t nil nil (symbol-name major-mode)))
         current-prefix-arg))
  (require 'eglot)
  (let* ((modes (cond ((null modes) '(prog-mode))
                      ((symbolp modes) (list modes))
                      (t modes)))
         (entry (cons modes #'codex-lsp--eglot-contact))
         (others (cl-remove-if #'codex-lsp--eglot-entry-p
                               eglot-server-programs)))
    (setq eglot-server-programs
          (if append (append others (list entry)) (cons entry others)))
    entry))

(defun codex-lsp--eglot-servers ()
  "The live Eglot connections to codex-lsp."
  (setq codex-lsp--eglot-servers
        (cl-remove-if-not #'jsonrpc-running-p codex-lsp--eglot-servers)))

;;;; Both

;;;###autoload
(defun codex-lsp-reload-settings ()
  "Tell every running codex-lsp server that its settings changed.
The server then asks again for the `codex' section, answered from
`codex-lsp-settings'.  Needed after a `setq'; Customize calls it."
  (interactive)
  (let ((params (list :settings (list :codex (codex-lsp--settings))))
        (n 0))
    (when (featurep 'eglot)
      (dolist (server (codex-lsp--eglot-servers))
        (jsonrpc-notify server :workspace/didChangeConfiguration params)
        (cl-incf n)))
    (when (featurep 'lsp-mode)
      (dolist (workspace (codex-lsp--lsp-mode-workspaces))
        (let ((lsp--cur-workspace workspace))
          (lsp-notify "workspace/didChangeConfiguration" params))
        (cl-incf n)))
    (when (called-interactively-p 'interactive)
      (message "codex-lsp: settings sent to %d server%s" n (if (= n 1) "" "s")))
    n))

(provide 'codex-lsp)
;;; codex-lsp.el ends here
