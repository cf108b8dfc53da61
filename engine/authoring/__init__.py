"""The rule author's toolchain behind `fodoc rules ...` and `fodoc explain`.

lint (every check with file:line and a severity), fixtures (each rule's inline fixtures through
both inference backends), sarif and junit (the two report formats CI tools read), coverage (which
causes are tested how), scaffold (`rules new`), explain (what a rule needs and concludes) and
placeholders (runbooks rendered with variable names instead of a real pair's values).
"""
