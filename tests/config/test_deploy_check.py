"""Django's deployment checklist passes with the settings an operator sets for
production (DEBUG off, a long random key, the public host): HSTS, the HTTPS redirect,
secure cookies, and an OpenAPI schema without warnings."""

from tests.config.helpers import manage, production_env


def test_check_deploy_is_clean_with_production_settings():
    # given the environment of a production web process
    env = production_env()

    # when Django's deployment checks run, warnings counted as failures
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    # then nothing is reported
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_when_https_is_turned_off():
    # given production settings where the operator turned off the redirect and HSTS
    env = production_env(SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="0")

    # when the checks run
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    # then both are named
    assert result.returncode != 0
    assert "security.W004" in result.stderr
    assert "security.W008" in result.stderr
