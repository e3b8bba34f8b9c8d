.PHONY: run test lint
run:
	scripts/dev.sh run
test:
	scripts/dev.sh test
lint:
	scripts/dev.sh lint
