import pytest

from mtaudit.pipeline.config import detector_options
from mtaudit.core.errors import UsageError


def test_config_file_and_settings_merge_with_types(tmp_path):
    cfg = tmp_path / "mtaudit.toml"
    cfg.write_text('enable = ["repetition", "brackets"]\n[detectors.repetition]\nmin_phrase_words = 4\n')
    chosen, options = detector_options(cfg, ["repetition.min_phrase_words=3"])
    assert chosen == ["repetition", "brackets"]
    assert options == {"repetition": {"min_phrase_words": 3}}


@pytest.mark.parametrize("setting", ["repetition.nope=1", "nodetector.x=1", "repetition.min_phrase_words=abc",
                                     "min_phrase_words=3"])
def test_bad_settings_are_usage_errors(setting):
    with pytest.raises(UsageError):
        detector_options(None, [setting])


def test_a_setting_for_the_model_says_how_the_model_is_chosen_instead_of_unknown_detector():
    # `mtaudit detectors` lists fluency beside the rule detectors, so a user tries --set fluency.x=...
    with pytest.raises(UsageError, match="take no detector options; --model, --fast, --runtime and --no-model") as exc:
        detector_options(None, ["fluency.threshold=2"])
    assert "unknown detector" not in str(exc.value)


def test_broken_config_names_the_file(tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text("[detectors.repetition\n")
    with pytest.raises(UsageError, match="bad.toml"):
        detector_options(cfg, [])


def test_config_sets_the_risk_model_relative_to_the_config_file(tmp_path):
    from mtaudit.pipeline.config import audit_config

    (tmp_path / "team").mkdir()
    (tmp_path / "team" / "team-risk.json").write_text('{"weights": {}}')
    config = tmp_path / "team" / "mtaudit.toml"
    config.write_text('risk_model = "team-risk.json"\n')
    assert audit_config(config_file=config, no_model=True).risk_model == str(tmp_path / "team" / "team-risk.json")
    # --risk-model wins over the config file
    assert audit_config(config_file=config, no_model=True, risk_model="other.json").risk_model == "other.json"
    config.write_text('risk_model = "missing.json"\n')
    with pytest.raises(UsageError, match="relative to the config file"):
        audit_config(config_file=config, no_model=True)
