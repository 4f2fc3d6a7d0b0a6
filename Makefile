# The course kit's two commands: `make demo` (set up, build, a whole nbgrader cycle on the sample students)
# and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: demo test build check-build sandbox venv lock benchmark

demo: venv sandbox
	$(PY) -m autograder demo

test: venv sandbox
	$(PY) -m pytest

build: venv
	$(PY) -m autograder build

check-build: venv
	$(PY) -m autograder build --check

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

# bubblewrap is the sandbox; the grader refuses to run student code without it.
sandbox:
	@command -v bwrap >/dev/null || { \
	  echo "Installing bubblewrap (the grader's sandbox)"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq bubblewrap; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq bubblewrap; fi; }

# Re-pin requirements.txt from requirements.in in a fresh virtual environment.
lock:
	rm -rf /tmp/course-lock && $(PYTHON) -m venv /tmp/course-lock
	/tmp/course-lock/bin/pip install --quiet -r requirements.in
	{ echo "# Full lock of requirements.in (pip freeze in a fresh venv, Python 3.11). Regenerate with: make lock"; \
	  /tmp/course-lock/bin/pip freeze; } > requirements.txt

benchmark: venv sandbox
	$(PY) benchmarks/grading_speed.py
