"""The explicit rules that keep page furniture out of the check-worthy claims."""

import pytest

from claims.extraction.rules import exclusion_reason


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        ("By Jane Doe", "byline"),
        ("BY JANE DOE AND JOHN SMITH", "byline"),
        ("By Jane Doe, Associated Press", "byline"),
        ("By Jane Doe | The Washington Post", "byline"),
        ("By: Ursula von der Leyen", "byline"),
        ("With Post wires", "byline"),
        ("— With files from The Canadian Press", "byline"),
        ("With wire services", "byline"),
        ("Reporting by Jane Doe in Caracas; Editing by John Smith", "byline"),
        ("Additional reporting by Mary Jones", "byline"),
        ("Written by Jane Doe", "byline"),
        ("Contributing: John Smith, USA TODAY", "byline"),
        ("Associated Press writer Jane Doe contributed to this report.", "byline"),
        ("Subscribe to our newsletter for 50% off.", "call to action"),
        ("Sign up for the Morning Brief, delivered to 2 million readers.", "call to action"),
        ("Share this article on Facebook", "call to action"),
        ("Share: Facebook Twitter Email", "call to action"),
        ("Click here to read the full 40-page report.", "call to action"),
        ("Follow us on Instagram for more stories.", "call to action"),
        ("Follow The Post on X for the latest news.", "call to action"),
        ("Download the app to get alerts.", "call to action"),
        ("Read more: How the 2024 election was won", "call to action"),
        ("Did the economy really grow 3% last year?", "question"),
        ("“Who is paying for this?”", "question"),
        ("Why?!", "question"),
        ("Prices rose sharply.", "fragment"),
        ("WASHINGTON (AP) —", "fragment"),
        ("Advertisement", "fragment"),
        ("TRUMP SAYS VENEZUELA WILL TAKE BACK 30,000 MIGRANTS", "all-caps headline"),
    ],
)
def test_furniture_is_excluded(sentence, reason):
    assert exclusion_reason(sentence) == reason


@pytest.mark.parametrize(
    "sentence",
    [
        "By 2030, emissions will fall by 40 percent, the agency said.",
        "By contrast, the government spent $3 billion on the program.",
        "With 7,200 arrests in nine days, ICE says deportations are ramping up.",
        "With Trump in the White House, Maduro agreed to take back the migrants.",
        "Reporting by The New York Times found that the agency spent $5 million.",
        "Share prices fell 5% on Monday after the announcement.",
        "Subscribers to the service doubled to 2 million in 2023.",
        "Downloads of the app rose 20% in a week.",
        "Support for the bill fell to 40% in the latest poll.",
        "Following the raids, the gang lost a chunk of its operation.",
        "The NYPD and the FBI arrested 12 members of Tren de Aragua in the Bronx.",
        "He asked whether the numbers were right.",
        "Unemployment fell to 3.7%.",
    ],
)
def test_claims_are_not_excluded(sentence):
    assert exclusion_reason(sentence) is None
