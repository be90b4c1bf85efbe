; Variable declarations and assignments.
; @declarator        a variable_declarator (name: identifier or pattern, value: optional)
; @assignment        an assignment_expression;  @assignment.left  its target
(variable_declarator) @declarator

(assignment_expression
  left: (_) @assignment.left) @assignment
