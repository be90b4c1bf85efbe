; Every comment (line, block and JSDoc).
; @comment
(comment) @comment
