"""Expression rules (表述规范): patterns with the correct form as suggestion."""

from sensitive_words.engine import Entry, Rule
from sensitive_words.engine.core import required_literal
from sensitive_words.seed import SEED_ALLOW, SEED_RULES, SEED_WORDS


def seed_engine(make_engine):
    from sensitive_words.engine import AllowEntry

    entries = [
        Entry(w, category=c, level=lv, suggestion=s, dictionary=d, pinyin=p)
        for d, rows in SEED_WORDS.items()
        for w, c, lv, s, p in rows
    ]
    allow = [AllowEntry(p, dictionary=d) for p, d in SEED_ALLOW]
    return make_engine(*entries, allow=allow, rules=[Rule(**r) for r in SEED_RULES])


def test_wrong_institution_name_is_flagged_with_the_correct_form(engine):
    (hit,) = engine.check("向国家信访办反映")
    assert (hit.word, hit.suggestion, hit.kind) == ("国家信访局名称", "国家信访局", "rule")
    assert hit.matched_text == "国家信访办"


def test_correct_institution_name_is_not_flagged(engine):
    assert engine.check("向国家信访局反映") == []


def test_rule_matches_through_noise_and_reports_original_span(engine):
    text = "向国家 信访·总局反映"
    (hit,) = engine.check(text)
    assert text[hit.start : hit.end] == "国家 信访·总局"


def test_rule_suggestion_can_use_groups_of_the_match(make_engine):
    engine = make_engine(
        rules=[Rule(r"(\w{2})市政府办公厅", name="x", suggestion=r"\1市人民政府办公厅")]
    )
    (hit,) = engine.check("南宁市政府办公厅")
    assert hit.suggestion == "南宁市人民政府办公厅"


def test_invalid_rule_is_reported_and_skipped(make_engine):
    engine = make_engine(Entry("赌博"), rules=[Rule("(unclosed", name="bad")])
    assert [r.name for r, _ in engine.invalid_rules] == ["bad"]
    assert [h.word for h in engine.check("赌博")] == ["赌博"]


def test_rule_without_a_literal_still_runs(make_engine):
    engine = make_engine(rules=[Rule(r"\d{3}号文", name="文号")])
    assert [h.word for h in engine.check("见第123号文")] == ["文号"]


def test_required_literal_is_the_longest_fixed_run():
    assert required_literal(r"国家信访(?:办公室|办)") == "国家信访办"  # re factors out 办
    assert required_literal(r"广西(?:壮族)?信访局") == "信访局"
    assert required_literal(r"a|b") is None
    assert required_literal(r"(?i)abc") is None


def test_superseded_regulation_is_flagged_by_the_seed(make_engine):
    engine = seed_engine(make_engine)
    (hit,) = engine.check("依据《信访条例》办理")
    assert hit.category == "表述规范"
    assert "信访工作条例" in hit.suggestion


def test_current_regulation_is_not_flagged_by_the_seed(make_engine):
    assert seed_engine(make_engine).check("依据《信访工作条例》办理") == []


def test_renamed_ministry_is_flagged_but_its_departments_are_not(make_engine):
    engine = seed_engine(make_engine)
    assert [h.suggestion for h in engine.check("原农业部发文")] == ["农业农村部"]
    assert engine.check("各级农业部门和农业农村部") == []


def test_outdated_disease_name_is_flagged_by_the_seed(make_engine):
    engine = seed_engine(make_engine)
    assert [h.word for h in engine.check("新冠肺炎疫情")] == ["新冠病名"]
