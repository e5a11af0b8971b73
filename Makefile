# dispatcher: build, test and demo shortcuts. `make help` lists the targets.
#
# Needs a JDK 21+ (found by scripts/find-java.sh, which also looks at $JAVA_HOME), Maven (MVN)
# and, for the demo, nothing else: `make postgres` runs Postgres in Docker when it is reachable,
# else an embedded one.

.DEFAULT_GOAL := help
# One `mvn package` makes both jars; two at once would race on the same target/ directories.
.NOTPARALLEL:

MVN ?= mvn
# Quiet but not silent: warnings, errors and the Surefire/Failsafe test lines, no plugin banners
# or download progress.
MVN_FLAGS ?= -B -ntp \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -Dorg.slf4j.simpleLogger.log.org.apache.maven.plugin.surefire=info \
  -Dorg.slf4j.simpleLogger.log.org.apache.maven.plugin.failsafe=info \
  -Dorg.slf4j.simpleLogger.log.org.apache.maven.plugins.shade=error
# Extra arguments for write-messages, bench and ctl, e.g. `make bench ARGS="--count 100"`.
ARGS ?=
# The control command for `make ctl`, e.g. `make ctl CMD=status ARGS="--expected-replies 2"`.
CMD ?= alive
# The long adversarial run (`make fuzz`): how many messages, and the seed of the mix.
FUZZ_MESSAGES ?= 1000000
FUZZ_SEED ?= 7

FIND_JAVA := $(CURDIR)/scripts/find-java.sh
# Resolved once per make run. Empty when there is no JDK 21+: `help` still works, and every
# target that needs Java fails through check-java with the script's own message.
FOUND_JAVA_HOME := $(shell $(FIND_JAVA) --home 2>/dev/null)
ifneq ($(FOUND_JAVA_HOME),)
export JAVA_HOME := $(FOUND_JAVA_HOME)
export PATH := $(FOUND_JAVA_HOME)/bin:$(PATH)
endif
JAVA := $(if $(FOUND_JAVA_HOME),$(FOUND_JAVA_HOME)/bin/java,java)
# The daemon's JVM options: after an OutOfMemoryError a JVM is deaf and ignores SIGTERM, so exit
# and let a supervisor restart it.
DAEMON_JVM_OPTS ?= -XX:+ExitOnOutOfMemoryError

STANDALONE_JAR := dispatcher-service/target/dispatcher-standalone.jar
TOOLS_JAR := tools/target/dispatcher-tools.jar
JARS := $(STANDALONE_JAR) $(TOOLS_JAR)
# Starting and stopping Postgres works with any build of the tools: build only when there is none.
TOOLS_JAR_IF_MISSING := $(if $(wildcard $(TOOLS_JAR)),,$(TOOLS_JAR))
# What the jars are built from; tests/ is not in them.
SOURCES := pom.xml $(shell find dispatcher-publisher dispatcher-service tools \
  -name target -prune -o -type f \( -path '*/src/main/*' -o -name pom.xml \) -print 2>/dev/null)

.PHONY: help build test check-install fuzz postgres stop-postgres run write-messages demo bench bench-sustained chaos chaos-short ctl clean check-java

help: ## List the targets
	@echo "Usage: make TARGET [ARGS=\"...\"]"
	@echo
	@awk 'BEGIN { FS = ":.*## " } /^[a-z-]+:.*## / { printf "  %-15s %s\n", $$1, $$2 }' $(firstword $(MAKEFILE_LIST))
	@echo
	@echo "Java: $(if $(FOUND_JAVA_HOME),$(FOUND_JAVA_HOME),none found (JDK 21+ needed))"

build: | check-java ## Build both jars, skipping tests
	$(MVN) $(MVN_FLAGS) -DskipTests package
	@echo "Built $(STANDALONE_JAR) and $(TOOLS_JAR)"

test: | check-java ## Run all unit and end-to-end tests (mvn verify)
	$(MVN) $(MVN_FLAGS) verify
	@echo "All tests passed"

check-install: | check-java ## From a clean clone of HEAD: mvn install, then build examples/ alone against it (JDK 17 if found)
	MVN="$(MVN)" scripts/check-install.sh

fuzz: | check-java ## Adversarial suite, long: FUZZ_MESSAGES (1,000,000) hostile and valid messages at a real daemon
	$(MVN) $(MVN_FLAGS) -pl tests -am verify -Dtest=AdversarialE2eTest -Dsurefire.failIfNoSpecifiedTests=false \
	  -Ddispatcher.fuzz.messages=$(FUZZ_MESSAGES) -Ddispatcher.fuzz.seed=$(FUZZ_SEED)

postgres: | check-java $(TOOLS_JAR_IF_MISSING) ## Start the demo Postgres in the background (Docker or embedded)
	$(JAVA) -jar $(TOOLS_JAR) postgres start

stop-postgres: | check-java $(TOOLS_JAR_IF_MISSING) ## Stop the demo Postgres started by `make postgres`
	$(JAVA) -jar $(TOOLS_JAR) postgres stop

run: $(JARS) | check-java ## Run the daemon in the foreground with dispatcher.yml and the demo tasks
	$(JAVA) $(DAEMON_JVM_OPTS) -jar $(STANDALONE_JAR) --config dispatcher.yml --classpath $(TOOLS_JAR)

write-messages: $(TOOLS_JAR) | check-java ## Publish demo tasks (ARGS, e.g. ARGS="--count 100")
	$(JAVA) -jar $(TOOLS_JAR) write-messages $(ARGS)

demo: $(JARS) | check-java ## Run the whole demo: Postgres, daemon, tasks
	$(JAVA) -jar $(TOOLS_JAR) demo

bench: $(JARS) | check-java ## Run the benchmark (ARGS passes options)
	$(JAVA) -jar $(TOOLS_JAR) bench $(ARGS)

bench-sustained: $(JARS) | check-java ## Durable tasks at a steady rate for 10 min: completions per window, table size, tasks run twice or lost (ARGS passes options)
	$(JAVA) -jar $(TOOLS_JAR) sustained $(ARGS)

chaos: $(JARS) | check-java ## Durable delivery under failures: all 9 chaos scenarios, 20/20/20 s phases (~11 min; ARGS passes options)
	$(JAVA) -jar $(TOOLS_JAR) chaos $(ARGS)

# Not part of `make test`: a few scenarios with 5 s phases, under ~2 minutes.
chaos-short: $(JARS) | check-java ## Short chaos run: restart, terminate, kill and crash, 5 s phases (under ~3 min)
	$(JAVA) -jar $(TOOLS_JAR) chaos --scenarios restart,terminate,kill,crash --phase-seconds 5 --outage-seconds 3 --drain-timeout 30 $(ARGS)

ctl: $(STANDALONE_JAR) | check-java ## Send a control command to the daemons (CMD=status, ARGS="--expected-replies 2")
	$(JAVA) -jar $(STANDALONE_JAR) ctl $(CMD) --config dispatcher.yml $(ARGS)

clean: ## Delete build output (leaves a running demo Postgres and .run/ alone)
	$(MVN) $(MVN_FLAGS) clean

# Both jars come from one `mvn package`; once it has run, the other jar is up to date as well, so
# make (serial, see .NOTPARALLEL) does not run it twice.
$(JARS): $(SOURCES) | check-java
	$(MVN) $(MVN_FLAGS) -DskipTests package

check-java:
ifeq ($(FOUND_JAVA_HOME),)
	@$(FIND_JAVA) >/dev/null
endif
