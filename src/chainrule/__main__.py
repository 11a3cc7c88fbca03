from chainrule.cli import run

run()
