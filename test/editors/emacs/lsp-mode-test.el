;;; lsp-mode-test.el --- Drive codex-lsp through lsp-mode in a headless Emacs -*- lexical-binding: t; -*-

;;; Commentary:

;; Run by test/editors/emacs.test.ts, when lsp-mode is found, as
;;
;;   emacs --batch -Q -L <lsp-mode and its dependencies> \
;;         -l clients/emacs/codex-lsp.el -l test/editors/emacs/lsp-mode-test.el
;;
;; lsp-mode is set up as a user would (`lsp' in the buffer, codex-lsp registered by
;; requiring codex-lsp.el); then: the add-on client attaches, a hover from the fake
;; model, the review's diagnostics, the code actions with the instant quick fix applied
;; by `lsp-execute-code-action', an AI action resolved and applied, and
;; `codex-lsp-reload-settings' reaching the server.  The steps go to the JSON file
;; CODEX_EMACS_RESULT, as in eglot-test.el.

;;; Code:

(require 'cl-lib)
(require 'json)
(require 'lsp-mode)
(require 'codex-lsp)

(defvar codex-test-result-file (getenv "CODEX_EMACS_RESULT"))
(defvar codex-test-file (getenv "CODEX_EMACS_FILE"))
(defvar codex-test-steps nil "Completed steps, most recent first: (NAME . DETAIL).")

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
                 (steps . ,(vconcat (mapcar (lambda (s) `((name . ,(car s)) (detail . ,(cdr s))))
                                            (reverse codex-test-steps))))
                 (text . ,(and buffer (with-current-buffer buffer
                                        (buffer-substring-no-properties (point-min) (point-max)))))
                 (events . ,(and (not ok) (get-buffer "*lsp-log*")
                                 (with-current-buffer "*lsp-log*"
                                   (let ((s (buffer-string)))
                                     (substring s (max 0 (- (length s) 20000)))))))))))))

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

(defun codex-test--title (action) (lsp-get action :title))

(defun codex-test--actions ()
  "The code actions at point or for the region, as lsp-mode asks for them."
  (append (lsp-code-actions-at-point) nil))

(defun codex-test--run ()
  "All the steps."
  (let ((root (file-name-directory codex-test-file)))
    (setq lsp-session-file (expand-file-name "lsp-session" temporary-file-directory)
          lsp-auto-guess-root nil
          lsp-keep-workspace-alive nil
          lsp-restart 'ignore
          lsp-enable-snippet nil
          lsp-headerline-breadcrumb-enable nil
          lsp-modeline-code-actions-enable nil
          lsp-modeline-diagnostics-enable nil
          lsp-lens-enable nil
          lsp-modeline-workspace-status-enable nil
          lsp-diagnostics-provider :none
          lsp-auto-execute-action nil
          lsp-log-io t
          ;; The language's own servers are not installed here: only codex-lsp may start.
          lsp-enabled-clients '(codex-lsp))
    (setq codex-lsp-settings '(:model "emacs-test-model" :hover (:delayMs 0)))
    ;; What answering "import project root" once does.
    (lsp-workspace-folders-add root))

  (find-file codex-test-file)
  (lsp)
  (codex-test--wait "lsp-mode to start codex-lsp"
                    (lambda ()
                      (cl-find-if (lambda (w) (and (eq (lsp--workspace-status w) 'initialized)
                                                   (eq (lsp--client-server-id (lsp--workspace-client w)) 'codex-lsp)))
                                  (lsp-workspaces)))
                    20)
  (codex-test--step "attached" (lsp--client-add-on? (lsp--workspace-client (car (lsp-workspaces)))))

  (goto-char (point-min))
  (search-forward "total +=")
  (let* ((hover (lsp-request "textDocument/hover" (lsp--text-document-position-params)))
         (contents (lsp-get hover :contents))
         (text (if (stringp contents) contents (lsp-get contents :value))))
    (unless (and text (string-match-p "Fake hover from the model" text))
      (error "Hover did not come from the model: %S" hover))
    (codex-test--step "hover" text))

  (let* ((diags (codex-test--wait "the codex review diagnostics"
                                  (lambda () (gethash (lsp--fix-path-casing buffer-file-name) (lsp-diagnostics t)))
                                  20))
         (d (car diags))
         (range (lsp-get d :range)))
    (unless (equal (lsp-get d :source) "codex") (error "Not a codex diagnostic: %S" d))
    (codex-test--step "diagnostics" (lsp-get d :message))
    ;; Select the diagnostic's text, as a user putting point on it would.
    (goto-char (lsp--position-to-point (lsp-get range :start)))
    (push-mark (lsp--position-to-point (lsp-get range :end)) t t)
    (let* ((actions (codex-test--actions))
           (fix (or (cl-find-if (lambda (a) (and (equal (lsp-get a :kind) "quickfix") (lsp-get a :edit))) actions)
                    (error "No instant quick fix among %S" (mapcar #'codex-test--title actions)))))
      (codex-test--step "code actions" (mapconcat #'codex-test--title actions " | "))
      (deactivate-mark)
      (lsp-execute-code-action fix)
      (goto-char (point-min))
      (unless (search-forward "for (let i = 0; i < values.length; i++)" nil t)
        (error "Quick fix not applied:\n%s" (buffer-string)))
      (codex-test--step "quick fix applied")))

  (goto-char (point-min))
  (search-forward "let total")
  (let ((refactor (or (cl-find-if (lambda (a) (equal (codex-test--title a) "Refactor with codex")) (codex-test--actions))
                      (error "No \"Refactor with codex\""))))
    (lsp-execute-code-action refactor)
    (goto-char (point-min))
    (unless (search-forward "let total = 0; // running sum" nil t)
      (error "Refactor not applied:\n%s" (buffer-string)))
    (codex-test--step "AI action resolved and applied"))

  ;; Settings changed in Emacs reach the server without a restart.
  (setq codex-lsp-settings '(:model "emacs-reloaded-model" :hover (:delayMs 0)))
  (let ((asked codex-test-configuration-answers))
    (unless (equal (codex-lsp-reload-settings) 1) (error "No running codex-lsp workspace was told"))
    ;; The server asks for the `codex' section again before using it.
    (codex-test--wait "the server to pull the new settings"
                      (lambda () (> codex-test-configuration-answers asked))))
  (goto-char (point-min))
  (search-forward "return total")
  (let ((hover (lsp-request "textDocument/hover" (lsp--text-document-position-params))))
    (unless (string-match-p "emacs-reloaded-model" (format "%s" (lsp-get (lsp-get hover :contents) :value)))
      (error "Hover after reload did not use the new model: %S" hover))
    (codex-test--step "settings reloaded")))

(condition-case err
    (progn
      (codex-test--run)
      (codex-test--write t)
      (kill-emacs 0))
  (error
   (message "codex-test: FAILED: %s" (error-message-string err))
   (ignore-errors (codex-test--write nil (error-message-string err)))
   (kill-emacs 1)))

;;; lsp-mode-test.el ends here
