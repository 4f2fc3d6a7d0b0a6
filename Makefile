# The course kit's two commands: `make demo` (set up, build, a whole nbgrader cycle on the sample students)
# and `make test`.
# Debian's own Python 3.11 where there is one (any 3.11.x works), so that other users (the sandbox's, students on
# a shared exchange) can run it; else the first python3.11 on PATH.
PYTHON ?= $(shell test -x /usr/bin/python3.11 && echo /usr/bin/python3.11 || echo python3.11)
VENV := .venv
PY := $(VENV)/bin/python
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: demo test lint build check-build sandbox venv lock benchmark doctor

demo: venv sandbox
	$(PY) -m autograder doctor   # stops here, with its advice, where grading could not be safe
	$(PY) -m autograder demo

test: venv sandbox
	$(PY) -m pytest

doctor: venv sandbox
	$(PY) -m autograder doctor

# ruff's lint and format checks (the rules and why: ruff.toml); `ruff format .` rewrites what the second reports.
lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

build: venv
	$(PY) -m autograder build

check-build: venv
	$(PY) -m autograder build --check

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	@$(PYTHON) -c "import ensurepip" 2>/dev/null || { \
	  echo "Installing Debian's python3.11-venv (venv needs it)"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq python3.11-venv; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq python3.11-venv; fi; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

# bubblewrap is the sandbox; the grader refuses to run student code without it. A grader run as root starts it as
# an unprivileged user of its own (course_config.LIMITS.user), added here when missing.
SANDBOX_USER = $(shell $(PYTHON) -c 'import course_config; print(course_config.LIMITS.user)')
sandbox:
	@command -v bwrap >/dev/null || { \
	  echo "Installing bubblewrap (the grader's sandbox)"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq bubblewrap; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq bubblewrap; fi; }
	@if [ "$$(id -u)" = 0 ] && ! id -u "$(SANDBOX_USER)" >/dev/null 2>&1; then \
	  echo "Adding the unprivileged user $(SANDBOX_USER), as whom the sandbox runs when the grader is root"; \
	  useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
	    "$(SANDBOX_USER)"; fi

# Re-pin requirements.txt from requirements.in for Python 3.11.0, so that it installs on every 3.11 (uv resolves for a
# Python other than the one it runs on; pip cannot where a package has no wheel).
lock:
	rm -rf /tmp/course-lock && $(PYTHON) -m venv /tmp/course-lock
	/tmp/course-lock/bin/pip install --quiet uv
	{ echo "# Full lock of requirements.in for Python 3.11.0 and every later 3.11 (uv pip compile). Regenerate with: make lock"; \
	  /tmp/course-lock/bin/uv pip compile --quiet --python-version 3.11.0 --no-header --no-annotate requirements.in; \
	} > requirements.txt

benchmark: venv sandbox
	$(PY) benchmarks/grading_speed.py
