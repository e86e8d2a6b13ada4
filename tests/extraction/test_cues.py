"""Why a claim was picked (cues) and whether it makes sense alone (needs_context)."""

import pytest

from claims.extraction.cues import CUE_LABELS, cues, needs_context


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("ICE said it had arrested more than 7,200 illegal migrants.", {"number", "source"}),
        ("Tourism accounts for 15 percent of GDP.", {"number"}),
        ("Two-thirds of research staff were on fixed-term contracts.", {"number"}),
        ("Tens of thousands of users reported problems.", {"number"}),
        ("In 1997, President Bill Clinton imposed an embargo.", {"date"}),
        ("Since 2012, Microsoft assessed the fee on direct emissions.", {"date"}),
        ("The Bill will be debated on Friday.", {"date"}),
        (
            "Emissions fell 2 percent, according to the Rhodium Group.",
            {"number", "source", "comparison"},
        ),
        ("A new report by Stanford's Center on Poverty calls that into question.", {"source"}),
        ("Mr Reeves said he was appalled.", {"source"}),
        ("Amazon runs a bigger cloud business than Microsoft.", {"comparison"}),
        ("It was the first film in a foreign language to win.", {"comparison"}),
        ("Surging natural gas was the biggest reason for coal's demise.", {"comparison", "cause"}),
        ("The road is closed because of landslides.", {"cause"}),
        ("That's been driving down emissions from electricity generation.", {"cause"}),
        ("That is a ridiculous approach.", set()),
        ("We need to listen.", set()),
        ("I am not a fan of discrimination and bullying of anybody.", set()),
    ],
)
def test_cues(sentence, expected):
    assert set(cues(sentence)) == expected


def test_cues_come_in_a_fixed_order_and_have_labels():
    found = cues("Because of the drought, exports fell 12% in 2023, the Energy Ministry said.")
    assert found == ["number", "date", "source", "comparison", "cause"]
    assert [CUE_LABELS[cue] for cue in found] == [
        "a number",
        "a date",
        "a named source",
        "a comparison",
        "a causal claim",
    ]


def test_a_year_is_a_date_not_a_number():
    assert cues("The plan was agreed in 2016.") == ["date"]
    assert "number" in cues("The plan cost $2,016 per person.")


@pytest.mark.parametrize(
    "sentence",
    [
        "That\u2019s been driving down emissions from electricity generation.",
        "That's been driving down emissions from electricity generation.",
        "This tiny, secluded island is covered with bushes.",
        "It was the most deadly terrorist attack in the nation in more than a decade.",
        "They later seized the Libyan city of Sirte.",
        "He said that Sudan's government continued to commit abuses.",
        "She added: “They never stood a chance of saving her.”",
        "But that\u2019s not going to happen on its own, Houser said.",
        "And that trend continued through last year, as coal generation slid 18 percent.",
        "“These messages include links to the ransomware,” said Stefanko.",
        "Neither has Sudan\u2019s status as a state sponsor of terrorism changed.",
        "Others reported supervisors unfairly demanding credit for research.",
        "Those rats were big and they were voracious.",
        "Her co-star Billy Crudup won a Critics Choice award last week.",
        "(That figure was revised to 4 percent.)",
    ],
)
def test_a_sentence_that_starts_with_an_unresolved_reference_needs_context(sentence):
    assert needs_context(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "The U.S. is burning less coal.",
        "This year emissions fell 2 percent.",
        "This week the Senate voted 52-48.",
        "It is unclear whether the figures are comparable.",
        "It's not clear which devices the feature will work with.",
        "It takes four hours to sail to Redonda.",
        "Italy and Spain sent 40 observers.",
        "Theresa May resigned in 2019.",
        "Heath Ledger won a posthumous Oscar in 2009.",
        "Thistle farmers lost 3 percent of their crop.",
        "“We are removing record numbers of illegal aliens,” the president wrote.",
    ],
)
def test_a_sentence_that_stands_alone_does_not(sentence):
    assert not needs_context(sentence)
