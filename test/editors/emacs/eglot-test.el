;;; eglot-test.el --- Drive codex-lsp through Eglot in a headless Emacs -*- lexical-binding: t; -*-

;;; Commentary:

;; Run by test/editors/emacs.test.ts as
;;
;;   emacs --batch -Q -l clients/emacs/codex-lsp.el -l test/editors/emacs/eglot-test.el
;;
;; with `codex-lsp' on PATH (a shim running the built server) and the server pointed
;; at the fake model server.  It sets Eglot up exactly as a user would (the shipped
;; `codex-lsp-eglot-setup' plus `eglot-ensure' in `prog-mode-hook'), opens
;; CODEX_EMACS_FILE, and then drives the requests directly, because the
;; interactive pickers block a headless run:
;;
;;   1. the server attaches (`eglot-current-server');
;;   2. a hover answered by the fake model;
;;   3. the review's diagnostics arrive in Flymake;
;;   4. the code actions for the diagnostic (as `eglot-code-actions' computes them),
;;      and the instant quick fix applied with `eglot-execute';
;;   5. "Refactor with codex" applied with `eglot-execute' (codeAction/resolve);
;;   6. `codex-lsp-reload-settings' reaches the server (the next model call uses
;;      the new model name);
;;   7. a second connection without resolve support (Eglot before Emacs 30): the
;;      AI action arrives as a command, and the edit comes back as
;;      workspace/applyEdit.
;;
;; Each step is recorded in the JSON file CODEX_EMACS_RESULT; Emacs exits 0 when
;; all passed, 1 otherwise.

;;; Code:

(require 'cl-lib)
(require 'json)
(require 'eglot)
(require 'flymake)
(require 'codex-lsp)

(defvar codex-test-result-file (getenv "CODEX_EMACS_RESULT"))
(defvar codex-test-file (getenv "CODEX_EMACS_FILE"))
(defvar codex-test-steps nil "Completed steps, most recent first: (NAME . DETAIL).")
(defvar codex-test-strip-resolve nil "Non-nil: advertise no codeAction resolve support.")

;; Counts the `workspace/configuration' answers given by codex-lsp.el.
(defvar codex-test-configuration-answers 0)
(advice-add 'codex-lsp--configuration-answer :after
            (lambda (&rest _) (cl-incf codex-test-configuration-answers)))

(defun codex-test--write (ok &optional error-message)
  "Write the result file: OK, the steps, ERROR-MESSAGE and the buffer text."
  (let ((buffer (and codex-test-file (get-file-buffer codex-test-file))))
    (with-temp-file codex-test-result-file
      (insert (json-encode
               `((ok . ,(if ok t :json-false))
                 (error . ,error-message)
                 (emacs . ,emacs-version)
                 (eglot . ,(bound-and-true-p eglot--version))
                 (steps . ,(vconcat (mapcar (lambda (s) `((name . ,(car s)) (detail . ,(cdr s))))
                                            (reverse codex-test-steps))))
                 (text . ,(and buffer (with-current-buffer buffer
                                        (buffer-substring-no-properties (point-min) (point-max)))))
                 (events . ,(let ((server (and buffer (with-current-buffer buffer (eglot-current-server)))))
                              (and server (not ok)
                                   (with-current-buffer (jsonrpc-events-buffer server)
                                     (let ((s (buffer-string)))
                                       (substring s (max 0 (- (length s) 20000))))))))))))))

(defun codex-test--step (name &optional detail)
  "Record step NAME as passed, with DETAIL."
  (push (cons name (and detail (format "%s" detail))) codex-test-steps)
  (message "codex-test: ok %s%s" name (if detail (format ": %s" detail) "")))

(defun codex-test--wait (what predicate &optional seconds)
  "Process events until PREDICATE returns non-nil (returned), else fail naming WHAT."
  (let ((deadline (+ (float-time) (or seconds 15)))
        value)
    (while (and (not (setq value (funcall predicate))) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (or value (error "Timed out after %ss waiting for %s" (or seconds 15) what))))

(defun codex-test--expect (what actual expected)
  "Fail unless ACTUAL equals EXPECTED, naming WHAT."
  (unless (equal actual expected)
    (error "%s: expected %S, got %S" what expected actual)))

(defun codex-test--codex-diagnostics ()
  "Flymake diagnostics of the current buffer from codex-lsp (Eglot writes \"SOURCE: message\")."
  (cl-remove-if-not
   (lambda (d) (string-prefix-p "codex: " (flymake-diagnostic-text d)))
   (flymake-diagnostics)))

;; The path taken by Eglot releases without codeAction/resolve support.
(cl-defmethod eglot-client-capabilities :around ((_server codex-lsp-eglot-server))
  (let ((caps (cl-call-next-method)))
    (when codex-test-strip-resolve
      (let ((code-action (plist-get (plist-get caps :textDocument) :codeAction)))
        (cl-remf code-action :resolveSupport)
        (setq caps (plist-put caps :textDocument
                              (plist-put (plist-get caps :textDocument) :codeAction code-action)))))
    caps))

(defun codex-test--connect ()
  "Start Eglot the way a user's hook does; return the server once connected."
  (eglot-ensure)
  ;; `eglot-ensure' connects after the current command; in batch there is none.
  (run-hooks 'post-command-hook)
  (codex-test--wait "Eglot to connect to codex-lsp"
                    (lambda () (and eglot--managed-mode (eglot-current-server)))
                    20))

(defun codex-test--action (actions pred what)
  "The first of ACTIONS satisfying PRED, else fail naming WHAT."
  (or (cl-find-if pred actions)
      (error "No %s among the code actions: %S" what (mapcar (lambda (a) (plist-get a :title)) actions))))

(defun codex-test--run ()
  "All the steps."
  (setq eglot-sync-connect t
        eglot-connect-timeout 20
        eglot-autoshutdown nil
        ;; Nothing may prompt in batch.
        eglot-confirm-server-edits nil)
  ;; A user's configuration, as in clients/emacs/README.md.
  (setq codex-lsp-settings '(:model "emacs-test-model" :hover (:delayMs 0)))
  (codex-lsp-eglot-setup)
  (add-hook 'prog-mode-hook #'eglot-ensure)

  (find-file codex-test-file)
  (codex-test--expect "major mode" major-mode 'js-mode)
  (let ((server (codex-test--connect)))
    (codex-test--expect "server class" (eieio-object-class server) 'codex-lsp-eglot-server)
    (codex-test--step "attached" (plist-get (eglot--server-info server) :name))

    ;; 2. Hover, driven directly (eldoc would show it at point).
    (goto-char (point-min))
    (search-forward "total +=")
    (let* ((hover (jsonrpc-request server :textDocument/hover (eglot--TextDocumentPositionParams)))
           (contents (plist-get hover :contents))
           (text (if (stringp contents) contents (plist-get contents :value))))
      (unless (and text (string-match-p "Fake hover from the model" text))
        (error "Hover did not come from the model: %S" hover))
      (codex-test--step "hover" text))

    ;; 3. Review diagnostics: the server reviews on open.
    (flymake-start)
    (let* ((diags (codex-test--wait "the codex review diagnostics in Flymake"
                                    (lambda ()
                                      (or (codex-test--codex-diagnostics)
                                          (progn (flymake-start) nil)))
                                    20))
           (d (car diags)))
      (codex-test--expect "diagnostic text"
                          (buffer-substring-no-properties (flymake-diagnostic-beg d) (flymake-diagnostic-end d))
                          "i <= values.length")
      (codex-test--expect "diagnostic type" (flymake-diagnostic-type d) 'eglot-error)
      (codex-test--step "diagnostics" (flymake-diagnostic-text d))

      ;; 4. Code actions for the diagnostic's range, with Flymake's diagnostics as context.
      (let* ((actions (eglot-code-actions (flymake-diagnostic-beg d) (flymake-diagnostic-end d)))
             (fix (codex-test--action actions
                                      (lambda (a) (and (equal (plist-get a :kind) "quickfix") (plist-get a :edit)))
                                      "instant quick fix")))
        (codex-test--expect "quick fix title" (plist-get fix :title) "Replace with `i < values.length` (codex)")
        (codex-test--step "code actions" (mapconcat (lambda (a) (plist-get a :title)) actions " | "))
        (eglot-execute server fix)
        (unless (search-backward "for (let i = 0; i < values.length; i++)" nil t)
          (goto-char (point-min))
          (unless (search-forward "for (let i = 0; i < values.length; i++)" nil t)
            (error "Quick fix not applied:\n%s" (buffer-string))))
        (codex-test--step "quick fix applied")))

    ;; 5. An AI action, resolved when picked (Emacs 30's Eglot supports codeAction/resolve).
    (goto-char (point-min))
    (search-forward "let total")
    (let* ((actions (eglot-code-actions (point) (point)))
           (refactor (codex-test--action actions
                                         (lambda (a) (equal (plist-get a :title) "Refactor with codex"))
                                         "\"Refactor with codex\"")))
      (when (or (plist-get refactor :edit) (plist-get refactor :command))
        (error "The AI action was not lazy: %S" refactor))
      (eglot-execute server refactor)
      (goto-char (point-min))
      (unless (search-forward "let total = 0; // running sum" nil t)
        (error "Refactor not applied:\n%s" (buffer-string)))
      (codex-test--step "AI action resolved and applied"))

    ;; 6. Settings changed in Emacs reach the server without a restart.
    (setq codex-lsp-settings '(:model "emacs-reloaded-model" :hover (:delayMs 0)))
    (let ((asked codex-test-configuration-answers))
      (codex-test--expect "servers told" (codex-lsp-reload-settings) 1)
      ;; The server asks for the `codex' section again before using it.
      (codex-test--wait "the server to pull the new settings"
                        (lambda () (> codex-test-configuration-answers asked))))
    (goto-char (point-min))
    (search-forward "return total")
    (let* ((hover (eglot--request server :textDocument/hover (eglot--TextDocumentPositionParams)))
           (contents (plist-get hover :contents)))
      (unless (string-match-p "emacs-reloaded-model" (format "%s" (plist-get contents :value)))
        (error "Hover after reload did not use the new model: %S" hover))
      (codex-test--step "settings reloaded"))

    ;; 7. Without resolve support: a command, then workspace/applyEdit from the server.
    (eglot-shutdown server)
    (setq codex-test-strip-resolve t)
    (let ((server (codex-test--connect)))
      (goto-char (point-min))
      (search-forward "return total")
      (let* ((actions (eglot-code-actions (point) (point)))
             (doc (codex-test--action actions
                                      (lambda (a) (equal (plist-get a :title) "Add documentation (codex)"))
                                      "\"Add documentation (codex)\"")))
        (unless (equal (plist-get (plist-get doc :command) :command) "codex.applyCodeAction")
          (error "Expected the codex.applyCodeAction command, got %S" doc))
        (eglot-execute server doc)
        (goto-char (point-min))
        (unless (search-forward "/** The mean of values. */" nil t)
          (error "Command path edit not applied:\n%s" (buffer-string)))
        (codex-test--step "AI action by command and workspace/applyEdit")))))

(condition-case err
    (progn
      (codex-test--run)
      (codex-test--write t)
      (kill-emacs 0))
  (error
   (message "codex-test: FAILED: %s" (error-message-string err))
   (ignore-errors (codex-test--write nil (error-message-string err)))
   (kill-emacs 1)))

;;; eglot-test.el ends here
