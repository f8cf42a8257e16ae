"""Must show 2 of #17 in a real browser (Debian's Chromium via Playwright) against the served
demo: a badge's QR image, as the badge page draws it, is fed to /checkin as the phone camera's
stream; the page's own script decodes it with the vendored jsQR and the person is checked in.
The same page refuses a forged code and another event's genuine code, each fed as a photo
through "从相册选择" (the same decoding path), with a sentence saying which."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import segno
from PIL import Image
from test_browser import CHROMIUM, _guarded_page, browser, sign_in  # noqa: F401 - the fixture
from tests_support import demo_server

from matchmaker.services.registry.badges import badge_code

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The demo served as `make run` does; yield its base URL and its home folder."""
    home = tmp_path_factory.mktemp("checkin-server")
    with demo_server(home) as base:
        yield base, home


def y4m_of(png: bytes, path: Path, size: tuple[int, int] = (640, 480), frames: int = 15) -> None:
    """Write a still image as a Y4M video (4:2:0), the file Chromium's fake camera plays."""
    picture = Image.open(io.BytesIO(png)).convert("L")
    picture.thumbnail((size[1] - 40, size[1] - 40))
    canvas = Image.new("L", size, 255)
    canvas.paste(picture, ((size[0] - picture.width) // 2, (size[1] - picture.height) // 2))
    luma = canvas.tobytes()
    chroma = bytes([128]) * (size[0] // 2 * size[1] // 2)  # grey: no colour
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{size[0]} H{size[1]} F15:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + luma + chroma + chroma)


def qr_png(path: Path, code: str) -> Path:
    """A phone photo of a QR code, roughly: the code in RGB on a white sheet."""
    raw = io.BytesIO()
    segno.make(code, error="m", micro=False).save(raw, kind="png", scale=8, border=4)
    photo = Image.new("RGB", (600, 600), "white")
    photo.paste(Image.open(raw).convert("RGB"), (100, 100))
    photo.save(path)
    return path


def test_a_badge_qr_through_the_camera_checks_the_person_in_and_bad_codes_are_refused(
    browser: Any,  # noqa: F811
    served: tuple[str, Path],
    tmp_path: Path,
) -> None:
    base, home = served
    # the organiser prints the session's badges; the first one is our person's
    for page in _guarded_page(browser, base):
        sign_in(page, "organiser")
        page.goto("/checkin")
        session = page.locator("[data-testid=checkin-session]").input_value()
        page.goto(f"/sessions/{session}/badges")
        first = page.locator(".badge-cell").first
        party = first.get_attribute("data-code")
        name = first.locator(".badge-party").inner_text().split(" · ")[0]
        shot = first.locator(".badge-qr svg").screenshot()
        assert not page.outside
    video = tmp_path / "badge.y4m"
    y4m_of(shot, video)

    # a second Chromium of the same Playwright, whose fake camera plays the badge
    camera = browser.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        for page in _guarded_page(camera, base, permissions=["camera"], **PHONE):
            sign_in(page, "staff")
            page.goto(f"/checkin?session={session}")
            row = page.locator(f"[data-arrivals-body] tr[data-code='{party}'] td").nth(1)
            assert row.inner_text() == "未到"
            page.click("[data-testid=scan-start]")
            result = page.locator("[data-testid=scan-result]")
            result.filter(has_text="签到成功").wait_for(timeout=20_000)
            assert name in result.inner_text()
            # the list says so without a reload (the script fetches it after the scan)
            page.wait_for_function(
                "code => /\\d\\d:\\d\\d/.test(document.querySelector("
                "`[data-arrivals-body] tr[data-code='${code}'] td:nth-child(2)`).textContent)",
                arg=party,
            )
            # the camera keeps seeing the badge: later frames are the same scan, and after
            # a reload the same badge scanned again says when it first arrived
            page.reload()
            page.click("[data-testid=scan-start]")
            result.filter(has_text="已签到").wait_for(timeout=20_000)
            page.click("[data-scan-stop]")  # the camera would go on seeing the badge

            secret = (home / "instance" / "secret_key").read_text().strip()
            forged = badge_code("not-the-server-secret", "XH2026", "project", 1)
            page.set_input_files("[data-testid=scan-file]", str(qr_png(tmp_path / "f.png", forged)))
            result.filter(has_text="不是有效的胸卡码").wait_for(timeout=10_000)
            other = badge_code(secret, "ELSEWHERE2025", "project", 1)
            page.set_input_files("[data-testid=scan-file]", str(qr_png(tmp_path / "o.png", other)))
            result.filter(has_text="另一个活动（ELSEWHERE2025）").wait_for(timeout=10_000)
            arrived = page.evaluate(
                "document.querySelectorAll('[data-arrivals-body] tr.arrived').length"
            )
            assert arrived == 1  # the refused codes recorded nobody
            width = page.evaluate("document.documentElement.scrollWidth <= innerWidth")
            assert width, "the check-in page scrolls sideways on a phone"
            assert not page.outside
    finally:
        camera.close()
