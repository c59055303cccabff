"""A real headless Chromium (Debian's chromium and chromium-driver) drives the running app:
asks a question, waits for a citation card, and saves screenshots of the three pages under
artifacts/screenshots/ (git-ignored)."""

import os
import re
import shutil
import sys
import time

import pytest

from assistant.config import PROJECT_ROOT
from assistant.llm_server import free_port, wait_until_ready
from tests.servers import running
from tests.services import nginx_proxy

SHOTS = PROJECT_ROOT / "artifacts" / "screenshots"


def _serve_app(settings):
    port = free_port()
    env = {
        **os.environ,
        "NPNRU_DATA_DIR": str(settings.data_dir),
        "NPNRU_CORPUS_DIRS": ",".join(str(d) for d in settings.corpus_dirs),
        "NPNRU_ADMIN_PASSWORD": "mot-de-passe-de-test",
    }
    command = [sys.executable, "-m", "assistant.cli", "ui", "--port", str(port)]
    with running(command, cwd=PROJECT_ROOT, env=env):
        url = f"http://127.0.0.1:{port}"
        wait_until_ready(url, timeout=60, path="/_stcore/health")
        yield url


@pytest.fixture
def running_app(programme_index):
    yield from _serve_app(programme_index)


# A document and a question that try to make the trainee's browser load, link, run or style
# something: every piece must be shown as typed.
POISON = (
    "La cellule poison assure le suivi des relogements ![suivi](http://127.0.0.1:9/pixel.png) "
    "chaque mois, voir [le tableau](javascript:alert(1)) et <img src='http://127.0.0.1:9/r.png'> "
    "<script>window.pwned=1</script> <style>body{display:none}</style> :red[alerte] "
    ":material/warning: $$x^2$$ <https://127.0.0.1:9/auto>."
)
POISONED_QUESTION = (
    "La cellule poison assure quel suivi ? ![q](http://127.0.0.1:9/q.png) <b>gras</b> :blue[bleu]"
)


@pytest.fixture
def poisoned_app(model_ready, tmp_path):
    from assistant.config import settings_with
    from ingest.index import ingest

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "suivi.md").write_text(f"# Suivi\n\n{POISON}\n", encoding="utf-8")
    settings = settings_with(data_dir=tmp_path / "data", corpus_dirs=[corpus])
    assert ingest(settings).added == ["suivi.md"]
    yield from _serve_app(settings)


@pytest.fixture
def browser():
    if not shutil.which("chromium") or not shutil.which("chromedriver"):
        pytest.skip("chromium / chromedriver absents : apt-get install chromium chromium-driver")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--window-size=1400,1800",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))
    yield driver
    driver.quit()


def test_browser_asks_and_sees_a_citation_card(running_app, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    SHOTS.mkdir(parents=True, exist_ok=True)
    wait = WebDriverWait(browser, 120)
    browser.get(running_app)
    box = wait.until(
        ec.element_to_be_clickable((By.CSS_SELECTOR, "[data-testid='stChatInputTextArea']"))
    )
    browser.save_screenshot(str(SHOTS / "1-chat-vide.png"))
    box.send_keys("Combien de jours dure la formation ?")
    box.send_keys(Keys.ENTER)
    card = wait.until(
        ec.presence_of_element_located(
            (By.XPATH, "//strong[starts-with(normalize-space(.), '[1]')]")
        )
    )
    assert "Module 9.5" in card.text
    marks = browser.find_elements(By.TAG_NAME, "mark")
    assert any("3 jours" in (m.get_attribute("textContent") or "") for m in marks)
    time.sleep(1)
    browser.save_screenshot(str(SHOTS / "2-chat-reponse.png"))
    seen = [browser.find_element(By.TAG_NAME, "body").text]

    # The source dialog, then a refusal.
    browser.find_element(By.XPATH, "//button[.//p[normalize-space(.)='Voir la source']]").click()
    dialog = wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, "[role='dialog']")))
    wait.until(lambda driver: "Module 9.5" in dialog.text)
    seen.append(dialog.text)
    dialog.find_element(By.CSS_SELECTOR, "button[aria-label='Close']").click()
    wait.until(ec.invisibility_of_element_located((By.CSS_SELECTOR, "[role='dialog']")))
    box = wait.until(
        ec.element_to_be_clickable((By.CSS_SELECTOR, "[data-testid='stChatInputTextArea']"))
    )
    box.send_keys("Quelle est la capitale du Pérou ?")
    box.send_keys(Keys.ENTER)
    wait.until(
        lambda driver: (
            "ne permettent pas de répondre" in driver.find_element(By.TAG_NAME, "body").text
        )
    )
    seen.append(browser.find_element(By.TAG_NAME, "body").text)

    browser.get(f"{running_app}/sources")
    wait.until(ec.presence_of_element_located((By.XPATH, "//h1[contains(., 'Sources')]")))
    # The documents table is drawn on a canvas once its data has arrived.
    wait.until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "[data-testid='stDataFrame'] canvas"))
    )
    time.sleep(3)
    browser.save_screenshot(str(SHOTS / "3-sources.png"))
    for tab in ("Article", "Lire un document", "Recherche", "Documents"):
        browser.find_element(By.XPATH, f"//*[@role='tab'][normalize-space(.)='{tab}']").click()
        time.sleep(1)
        seen.append(browser.find_element(By.TAG_NAME, "body").text)

    browser.get(f"{running_app}/admin")
    password = wait.until(ec.presence_of_element_located((By.XPATH, "//input[@type='password']")))
    password.send_keys("mot-de-passe-de-test")
    browser.find_element(By.XPATH, "//button[.//p[normalize-space(.)='Entrer']]").click()
    wait.until(ec.presence_of_element_located((By.XPATH, "//h3[contains(., 'Réindexer')]")))
    time.sleep(2)
    browser.save_screenshot(str(SHOTS / "4-administration.png"))
    # What trainees, trainers and maintainers read is French: no None, no ISO timestamp, no
    # 200 MB limit, on every page and in the dialog.
    admin = browser.find_element(By.TAG_NAME, "body").text
    assert "50MB" in admin  # Streamlit's own words, with the app's limit
    for shown in [*seen, admin]:
        for english in ("None", "null", "NaN", "200MB", "Choose an option"):
            assert english not in shown, (english, shown[:500])
        assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", shown)
    for name in ("1-chat-vide", "2-chat-reponse", "3-sources", "4-administration"):
        assert (SHOTS / f"{name}.png").stat().st_size > 10_000


def test_browser_two_turns_about_the_programme(running_app, browser):
    """A day, then « Et le jour 3 ? »: each answer names that day's trainer, the follow-up is
    shown as understood, and the conversation is saved as a screenshot."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    SHOTS.mkdir(parents=True, exist_ok=True)
    wait = WebDriverWait(browser, 120)
    browser.get(running_app)
    answers = "[data-testid='stChatMessage']"
    for number, question in enumerate(["Qui anime le jour 2 ?", "Et le jour 3 ?"], start=1):
        box = wait.until(
            ec.element_to_be_clickable((By.CSS_SELECTOR, "[data-testid='stChatInputTextArea']"))
        )
        box.send_keys(question)
        box.send_keys(Keys.ENTER)
        # A user message and an answer per turn, the answer with its citation card.
        wait.until(
            lambda driver, n=number: len(driver.find_elements(By.CSS_SELECTOR, answers)) >= 2 * n
        )
        wait.until(
            lambda driver, n=number: (
                len(
                    driver.find_elements(
                        By.XPATH, "//strong[starts-with(normalize-space(.), '[1]')]"
                    )
                )
                >= n
            )
        )
    messages = browser.find_elements(By.CSS_SELECTOR, answers)
    first, second = messages[1].text, messages[3].text
    lead = [line for line in first.splitlines() if "[1]" in line][0]
    assert "Noyé" in lead
    follow_lead = [line for line in second.splitlines() if "[1]" in line][0]
    assert "Rathier" in follow_lead and "Noyé" not in follow_lead
    assert "Question comprise comme : Qui anime le jour 3 ?" in second
    # Who each trainer is, quoted from page 1.
    assert "Géographe" in first and "Sociologue" in second
    time.sleep(1)
    browser.save_screenshot(str(SHOTS / "5-deux-tours-programme.png"))
    assert (SHOTS / "5-deux-tours-programme.png").stat().st_size > 10_000


@pytest.fixture
def running_shared_app(shared_index):
    yield from _serve_app(shared_index)


def test_browser_shows_the_course_map(running_shared_app, browser):
    """The Parcours page: the programme's sessions with what covers each topic, and the
    topics no document covers; saved as a screenshot."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    SHOTS.mkdir(parents=True, exist_ok=True)
    wait = WebDriverWait(browser, 180)
    browser.get(f"{running_shared_app}/parcours")
    wait.until(ec.presence_of_element_located((By.XPATH, "//h1[contains(., 'Parcours')]")))
    # The map is computed once for the revision (a search per topic), then shown.
    first = wait.until(
        ec.element_to_be_clickable((By.XPATH, "//summary[contains(., 'Jour 1 — séquence 1')]"))
    )
    first.click()
    wait.until(ec.presence_of_element_located((By.XPATH, "//button[contains(., 'Demander')]")))
    time.sleep(1)
    browser.save_screenshot(str(SHOTS / "7-parcours.png"))
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "Aucun document indexé ne traite de :" in body and "loi Elan" in body
    assert "Politique de la ville : du développement social au renouvellement urbain" in body
    for english in ("None", "null", "NaN"):
        assert english not in body
    assert (SHOTS / "7-parcours.png").stat().st_size > 10_000


def test_browser_shows_the_glossary(running_shared_app, browser):
    """The Glossaire page: each term with the passage that defines it and its source, or a
    plain « no defining passage »; saved as a screenshot."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    SHOTS.mkdir(parents=True, exist_ok=True)
    wait = WebDriverWait(browser, 180)
    browser.get(f"{running_shared_app}/glossaire")
    wait.until(ec.presence_of_element_located((By.XPATH, "//h1[contains(., 'Glossaire')]")))
    # The definitions are looked for once for the revision (one answer per term), then shown.
    wait.until(ec.presence_of_element_located((By.XPATH, "//strong[normalize-space(.)='QPV']")))
    time.sleep(1)
    browser.save_screenshot(str(SHOTS / "8-glossaire.png"))
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "quartier prioritaire de la politique de la ville" in body and "Source : " in body
    for english in ("None", "null", "NaN"):
        assert english not in body
    assert (SHOTS / "8-glossaire.png").stat().st_size > 10_000


def test_browser_revises_a_session_of_the_programme(running_shared_app, browser):
    """The Réviser page: a question of the first session answered in the browser, corrected
    with the sentence and its source; saved as a screenshot."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    SHOTS.mkdir(parents=True, exist_ok=True)
    wait = WebDriverWait(browser, 180)
    browser.get(f"{running_shared_app}/reviser")
    wait.until(ec.presence_of_element_located((By.XPATH, "//h1[contains(., 'Réviser')]")))
    wait.until(ec.presence_of_element_located((By.XPATH, "//p[contains(., 'Question 1.')]")))
    # The first choice of the first question, then « Valider ».
    choice = wait.until(
        ec.element_to_be_clickable((By.XPATH, "(//div[@role='radiogroup'])[2]//label[1]"))
    )
    choice.click()
    browser.find_element(By.XPATH, "//button[contains(., 'Valider')]").click()
    wait.until(
        ec.presence_of_element_located(
            (By.XPATH, "//*[contains(., 'Exact :') or contains(., 'la réponse est')]")
        )
    )
    wait.until(ec.presence_of_element_located((By.XPATH, "//*[contains(., 'Source : ')]")))
    time.sleep(1)
    browser.save_screenshot(str(SHOTS / "9-reviser.png"))
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "1 sur 1" in body or "0 sur 1" in body
    assert "Source : " in body and ("Exact :" in body or "la réponse est" in body)
    for english in ("None", "null", "NaN"):
        assert english not in body
    assert (SHOTS / "9-reviser.png").stat().st_size > 10_000


def test_browser_shows_hostile_text_as_text(poisoned_app, browser):
    """A poisoned document quoted in an answer, and a poisoned question: no image, link,
    script, style, colour or formula comes from them; the text is visible as typed."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 120)
    browser.get(poisoned_app)
    box = wait.until(
        ec.element_to_be_clickable((By.CSS_SELECTOR, "[data-testid='stChatInputTextArea']"))
    )
    box.send_keys(POISONED_QUESTION)
    box.send_keys(Keys.ENTER)
    wait.until(
        ec.presence_of_element_located(
            (By.XPATH, "//strong[starts-with(normalize-space(.), '[1]')]")
        )
    )
    time.sleep(2)
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SHOTS / "6-texte-hostile.png"))
    main = browser.find_element(By.TAG_NAME, "body")
    for image in main.find_elements(By.TAG_NAME, "img"):
        assert "127.0.0.1:9" not in (image.get_attribute("src") or "")
    for link in main.find_elements(By.TAG_NAME, "a"):
        href = link.get_attribute("href") or ""
        parent = link.find_element(By.XPATH, "..").get_attribute("outerHTML")[:600]
        assert "127.0.0.1:9" not in href and not href.startswith("javascript:"), parent
        assert "127.0.0.1:9" not in href and not href.startswith("javascript:")
    for tag in ("script", "style"):
        for element in main.find_elements(By.TAG_NAME, tag):
            content = element.get_attribute("textContent") or ""
            assert "pwned" not in content and "display:none" not in content
    assert browser.execute_script("return window.pwned === undefined")
    for message in main.find_elements(By.CSS_SELECTOR, "[data-testid='stChatMessage']"):
        assert not message.find_elements(By.CSS_SELECTOR, ".katex, b, [style*='color']")
    # Bare addresses carry an invisible word joiner (ui/common.py): the text reads as typed.
    text = main.text.replace("\u2060", "")
    for typed in (
        "![q](http://127.0.0.1:9/q.png) <b>gras</b> :blue[bleu]",
        "![suivi](http://127.0.0.1:9/pixel.png)",
        ":red[alerte]",
        ":material/warning: $$x^2$$",
    ):
        assert typed in text, typed


def test_two_replicas_behind_nginx_with_sticky_sessions(programme_index, browser):
    """docs/deploiement.md: two app replicas behind nginx (ip_hash, WebSocket headers). A
    conversation works through the proxy and every request of the browser reaches the same
    replica."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    first, second = _serve_app(programme_index), _serve_app(programme_index)
    replicas = [next(first), next(second)]
    try:
        ports = [int(url.rsplit(":", 1)[1]) for url in replicas]
        with nginx_proxy(ports) as (port, log):
            wait = WebDriverWait(browser, 120)
            browser.get(f"http://127.0.0.1:{port}")
            box = wait.until(
                ec.element_to_be_clickable((By.CSS_SELECTOR, "[data-testid='stChatInputTextArea']"))
            )
            box.send_keys("Qui anime le jour 2 ?")
            box.send_keys(Keys.ENTER)
            wait.until(
                ec.presence_of_element_located(
                    (By.XPATH, "//strong[starts-with(normalize-space(.), '[1]')]")
                )
            )
            assert "Noyé" in browser.find_element(By.TAG_NAME, "body").text
            upstreams = {line.split()[1] for line in log.read_text().splitlines() if line}
            assert len(upstreams) == 1 and upstreams <= {f"127.0.0.1:{p}" for p in ports}
    finally:
        for replica in (first, second):
            replica.close()
