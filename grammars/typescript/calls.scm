; Every call and `new` expression.
; @call          the call_expression
; @call.callee   its function expression
; @call.args     its argument list
; @new           a new_expression;  @new.callee  its constructor
(call_expression
  function: (_) @call.callee
  arguments: (arguments) @call.args) @call

(new_expression
  constructor: (_) @new.callee) @new
