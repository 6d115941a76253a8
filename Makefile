# Shortcuts for dev.py, which needs nothing but Python 3.11.
.PHONY: demo test shots lint
demo:
	python3 dev.py demo
test:
	python3 dev.py test
shots:
	python3 dev.py shots
lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .
