"""build_journal and check_run, written as ledgers: a run in, the journal or the problems out."""

from datetime import date
from decimal import Decimal

import pytest

from payjournal.domain.journal import Journal, JournalRow, Side, UnbalancedJournalError
from payjournal.domain.money import Money
from payjournal.domain.posting import build_journal, check_run
from payjournal.domain.problems import JournalNotBuildableError, ProblemCode
from payjournal.domain.run import PayPeriod, RunKind
from payjournal.domain.scheme import DateRule, DetailLevel, VoucherDateRule

from .ledger import journal_table, normalized, run_from_table, scheme_from_table

SCHEME = scheme_from_table(
    """
    component | debit | credit | side  | text
    GROSS     | 4000  | 1650   | debit | Gross salary
    TAX       | 1650  | 1600   | none  | Wage tax withheld
    ER_SOCIAL | 4100  | 1610   | debit | Employer social charges
    NET       | 1650  | 1100   | none  | Net pay
    """,
    dimensions={"PROD": "P-100", "SHOP": "S-200", "ADM": "A-300"},
)


def test_a_simple_run_becomes_an_aggregated_balanced_journal():
    run = run_from_table(
        """
        employee | department | component | amount
        1        | PROD       | GROSS     | 3000.00
        1        | PROD       | TAX       | 900.00
        1        | PROD       | NET       | 2100.00
        2        | SHOP       | GROSS     | 2500.00
        2        | SHOP       | TAX       | 700.00
        2        | SHOP       | NET       | 1800.00
        3        | PROD       | GROSS     | 1000.00
        3        | PROD       | TAX       | 200.00
        3        | PROD       | NET       | 800.00
        """
    )
    journal = build_journal(run, SCHEME)
    assert journal_table(journal) == normalized(
        """
        account | debit   | credit  | text                              | dimension
        1100    |         | 4700.00 | Net pay                           |
        1600    |         | 1800.00 | Wage tax withheld                 |
        1650    | 6500.00 |         | Net pay, Wage tax withheld        |
        1650    |         | 6500.00 | Gross salary                      |
        4000    | 4000.00 |         | Gross salary                      | P-100
        4000    | 2500.00 |         | Gross salary                      | S-200
        """
    )
    assert journal.debit_total == journal.credit_total == Money.of("13000.00", "EUR")
    assert journal.voucher_date == date(2026, 9, 30)
    assert journal.voucher_text == "Payroll 2026-09 acme run R1 (regular)"
    assert journal.rounding_rows == ()


def test_a_negative_total_moves_to_the_other_side():
    run = run_from_table(
        """
        employee | department | component | amount
        1        | PROD       | GROSS     | -150.00
        1        | PROD       | TAX       | -50.00
        1        | PROD       | NET       | -100.00
        """,
        kind=RunKind.CORRECTION,
    )
    assert journal_table(build_journal(run, SCHEME)) == normalized(
        """
        account | debit  | credit | text                       | dimension
        1100    | 100.00 |        | Net pay                    |
        1600    | 50.00  |        | Wage tax withheld          |
        1650    |        | 150.00 | Net pay, Wage tax withheld |
        1650    | 150.00 |        | Gross salary               |
        4000    |        | 150.00 | Gross salary               | P-100
        """
    )


def test_percentage_allocation_splits_by_largest_remainder_to_the_cent():
    # 100.01 over 33.33 / 33.33 / 33.34 %: 33.33 + 33.33 + 33.34 leaves one cent, which goes to
    # the largest remainder (ADM, 33.3433…), so the parts add up to exactly 100.01.
    journal = build_journal(_allocated_run(), SCHEME)
    assert journal_table(journal) == normalized(
        """
        account | debit  | credit | text         | dimension
        1650    |        | 100.01 | Gross salary |
        4000    | 33.35  |        | Gross salary | A-300
        4000    | 33.33  |        | Gross salary | P-100
        4000    | 33.33  |        | Gross salary | S-200
        """
    )


def _allocated_run():
    """One line split over three cost centers (the table syntax uses | so it is built here)."""
    from payjournal.domain.run import CostShare, PayrollLine, PayrollRun

    shares = (
        CostShare("PROD", Decimal("33.33")),
        CostShare("SHOP", Decimal("33.33")),
        CostShare("ADM", Decimal("33.34")),
    )
    line = PayrollLine("1", "GROSS", Decimal("100.01"), "ADM", shares, None, 2)
    base = run_from_table("employee | component | amount\n1 | GROSS | 0")
    return PayrollRun(
        base.company, base.run_id, base.kind, base.period, base.payment_date, base.currency, (line,)
    )


def test_sub_cent_amounts_are_rounded_once_per_row_and_the_residue_is_a_visible_row():
    # three employer charges of 0.3333 on three departments: each row rounds to 0.33 (0.99
    # debit) while the one credit row rounds 0.9999 to 1.00: one cent to the rounding account.
    run = run_from_table(
        """
        employee | department | component | amount
        1        | PROD       | ER_SOCIAL | 0.3333
        2        | SHOP       | ER_SOCIAL | 0.3333
        3        | ADM        | ER_SOCIAL | 0.3333
        """
    )
    journal = build_journal(run, SCHEME)
    assert journal_table(journal) == normalized(
        """
        account | debit | credit | text                    | dimension
        1610    |       | 1.00   | Employer social charges |
        4100    | 0.33  |        | Employer social charges | A-300
        4100    | 0.33  |        | Employer social charges | P-100
        4100    | 0.33  |        | Employer social charges | S-200
        9990    | 0.01  |        | Rounding difference     |
        """
    )
    assert [row.is_rounding for row in journal.rows] == [False, False, False, False, True]


def test_employee_detail_books_one_row_per_employee_with_name_in_the_text():
    scheme = scheme_from_table(
        """
        component | debit | credit | side  | text
        GROSS     | 4000  | 1650   | debit | Gross salary
        """,
        detail=DetailLevel.EMPLOYEE,
        dimensions={"PROD": "P-100"},
    )
    run = run_from_table(
        """
        employee | name           | department | component | amount
        7        | Anna de Vries  | PROD       | GROSS     | 10.00
        8        |                | PROD       | GROSS     | 20.00
        7        | Anna de Vries  | PROD       | GROSS     | 5.00
        """
    )
    assert journal_table(build_journal(run, scheme)) == normalized(
        """
        account | debit | credit | text                              | dimension
        1650    |       | 15.00  | 7 Anna de Vries: Gross salary     |
        1650    |       | 20.00  | 8: Gross salary                   |
        4000    | 15.00 |        | 7 Anna de Vries: Gross salary     | P-100
        4000    | 20.00 |        | 8: Gross salary                   | P-100
        """
    )


def test_cost_center_on_the_credit_side_when_the_scheme_says_so():
    scheme = scheme_from_table(
        """
        component | debit | credit | side   | text
        REFUND    | 1100  | 4300   | credit | Travel refund
        """,
        dimensions={"PROD": "P-100"},
    )
    run = run_from_table("employee | department | component | amount\n1 | PROD | REFUND | 12.50")
    assert journal_table(build_journal(run, scheme)) == normalized(
        """
        account | debit | credit | text          | dimension
        1100    | 12.50 |        | Travel refund |
        4300    |       | 12.50  | Travel refund | P-100
        """
    )


def test_rows_without_department_carry_no_dimension():
    run = run_from_table("employee | component | amount\n1 | GROSS | 10.00")
    rows = build_journal(run, SCHEME).rows
    assert [(row.account, row.dimension) for row in rows] == [("1650", None), ("4000", None)]


def test_long_combined_texts_are_cut_to_visma_s_sixty_characters():
    scheme = scheme_from_table(
        """
        component | debit | credit | side | text
        A         | 4000  | 1650   | none | Salary for the month including all regular hours
        B         | 4000  | 1650   | none | Overtime allowance for weekend shifts
        """
    )
    run = run_from_table("employee | component | amount\n1 | A | 1.00\n1 | B | 2.00")
    texts = [row.text for row in build_journal(run, scheme).rows]
    assert all(len(text) == 60 and text.endswith("…") for text in texts)


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (VoucherDateRule(DateRule.PERIOD_END), date(2026, 2, 28)),
        (VoucherDateRule(DateRule.PAYMENT_DATE), date(2026, 2, 25)),
        (VoucherDateRule(DateRule.FIXED_DAY, 15), date(2026, 2, 15)),
        (VoucherDateRule(DateRule.FIXED_DAY, 31), date(2026, 2, 28)),  # past the month's end
    ],
)
def test_voucher_date_rules(rule, expected):
    february = PayPeriod(2026, 2, date(2026, 2, 1), date(2026, 2, 28))
    run = run_from_table(
        "employee | component | amount\n1 | GROSS | 1.00",
        period=february,
        payment_date=date(2026, 2, 25),
    )
    scheme = scheme_from_table("component | debit | credit\nGROSS | 4000 | 1650", voucher_date=rule)
    assert build_journal(run, scheme).voucher_date == expected


def test_a_fixed_day_rule_needs_a_valid_day():
    with pytest.raises(ValueError, match="1 to 31"):
        VoucherDateRule(DateRule.FIXED_DAY, 32)
    with pytest.raises(ValueError, match="only goes with"):
        VoucherDateRule(DateRule.PERIOD_END, 5)


# --- problems ------------------------------------------------------------------------------


def codes(problems):
    return sorted(problem.code for problem in problems)


def test_every_problem_is_reported_at_once_with_the_lines_it_concerns():
    run = run_from_table(
        """
        employee | department | component | amount
        1        | PROD       | GROSS     | 100.00
        1        | PROD       | BONUS     | 50.00
        2        | LAB        | GROSS     | 100.00
        2        | LAB        | BONUS     | 25.00
        3        | PROD       | GROSS     | 1000000000.00
        4        | PROD       | TAX       | 1.00001
        """,
        currency="SEK",
    )
    problems = check_run(run, SCHEME.__class__(**{**_fields(SCHEME), "currency": "EUR"}))
    assert codes(problems) == sorted(
        [
            ProblemCode.CURRENCY_MISMATCH,
            ProblemCode.UNMAPPED_COMPONENT,
            ProblemCode.UNMAPPED_DIMENSION,
            ProblemCode.AMOUNT_OUT_OF_RANGE,
            ProblemCode.AMOUNT_TOO_PRECISE,
        ]
    )
    by_code = {problem.code: problem for problem in problems}
    unmapped = by_code[ProblemCode.UNMAPPED_COMPONENT]
    assert unmapped.subject == "BONUS" and unmapped.lines == (3, 5)
    assert "'BONUS' has no ledger accounts" in unmapped.message and "lines 3, 5" in unmapped.message
    assert by_code[ProblemCode.UNMAPPED_DIMENSION].lines == (
        4,
    )  # LAB's GROSS line; BONUS is unmapped
    assert by_code[ProblemCode.AMOUNT_OUT_OF_RANGE].lines == (6,)
    assert by_code[ProblemCode.AMOUNT_TOO_PRECISE].lines == (7,)
    assert "SEK" in by_code[ProblemCode.CURRENCY_MISMATCH].message


def _fields(scheme):
    return {name: getattr(scheme, name) for name in scheme.__dataclass_fields__}


def test_build_journal_refuses_a_run_with_problems_and_lists_them():
    run = run_from_table("employee | component | amount\n1 | BONUS | 5.00\n2 | PERK | 1.00")
    with pytest.raises(JournalNotBuildableError) as caught:
        build_journal(run, SCHEME)
    assert codes(caught.value.problems) == [ProblemCode.UNMAPPED_COMPONENT] * 2
    assert "'BONUS'" in str(caught.value) and "'PERK'" in str(caught.value)


def test_an_empty_run_is_a_problem():
    run = run_from_table("employee | component | amount\n1 | GROSS | 1")
    empty = run.__class__(
        run.company, run.run_id, run.kind, run.period, run.payment_date, run.currency, ()
    )
    assert codes(check_run(empty, SCHEME)) == [ProblemCode.EMPTY_RUN]


def test_a_run_that_nets_to_zero_has_nothing_to_book():
    run = run_from_table("employee | component | amount\n1 | GROSS | 10.00\n1 | GROSS | -10.00")
    assert codes(check_run(run, SCHEME)) == [ProblemCode.NOTHING_TO_BOOK]


def test_percentages_that_do_not_add_up_to_100_are_a_problem():
    from payjournal.domain.run import CostShare, PayrollLine, PayrollRun

    shares = (CostShare("PROD", Decimal(60)), CostShare("SHOP", Decimal(30)))
    base = _allocated_run()
    line = PayrollLine("1", "GROSS", Decimal("10.00"), None, shares, None, 9)
    run = PayrollRun(
        base.company, base.run_id, base.kind, base.period, base.payment_date, "EUR", (line,)
    )
    (problem,) = check_run(run, SCHEME)
    assert problem.code is ProblemCode.ALLOCATION_NOT_100
    assert "90 %" in problem.message and problem.lines == (9,)


def test_an_unknown_currency_stops_before_anything_is_summed():
    run = run_from_table("employee | component | amount\n1 | GROSS | 1", currency="XYZ")
    assert codes(check_run(run, SCHEME)) == [ProblemCode.UNKNOWN_CURRENCY]


def test_descriptions_longer_than_a_row_allows_are_a_problem():
    scheme = scheme_from_table(
        f"component | debit | credit | text\nGROSS | 4000 | 1650 | {'x' * 61}"
    )
    run = run_from_table("employee | component | amount\n1 | GROSS | 1")
    (problem,) = check_run(run, scheme)
    assert problem.code is ProblemCode.TEXT_TOO_LONG and "61 characters" in problem.message


def test_a_voucher_text_over_1000_characters_or_with_a_bad_placeholder_is_a_problem():
    run = run_from_table("employee | component | amount\n1 | GROSS | 1")
    long_text = scheme_from_table(
        "component | debit | credit\nGROSS | 4000 | 1650", voucher_text="y" * 1001
    )
    bad_placeholder = scheme_from_table(
        "component | debit | credit\nGROSS | 4000 | 1650", voucher_text="{month}"
    )
    assert codes(check_run(run, long_text)) == [ProblemCode.TEXT_TOO_LONG]
    (problem,) = check_run(run, bad_placeholder)
    assert "placeholders" in problem.message


def test_a_row_total_beyond_visma_s_limit_is_a_problem_even_if_each_line_is_not():
    run = run_from_table(
        "employee | component | amount\n1 | GROSS | 600000000\n2 | GROSS | 600000000"
    )
    problems = check_run(run, SCHEME)
    assert codes(problems) == [ProblemCode.AMOUNT_OUT_OF_RANGE] * 2
    assert sorted(problem.subject for problem in problems) == ["1650", "4000"]
    assert "book this run at employee detail" in problems[0].message


def test_a_journal_that_does_not_balance_cannot_be_constructed():
    eur = Money.of
    rows = (
        JournalRow("4000", Side.DEBIT, eur("1.00", "EUR"), "x"),
        JournalRow("1650", Side.CREDIT, eur("0.99", "EUR"), "x"),
    )
    with pytest.raises(UnbalancedJournalError, match="does not balance"):
        Journal(
            "acme",
            "R1",
            RunKind.REGULAR,
            PayPeriod(2026, 9, date(2026, 9, 1), date(2026, 9, 30)),
            "EUR",
            date(2026, 9, 30),
            "t",
            rows,
        )


def test_fingerprints_change_with_anything_visma_would_receive():
    run = run_from_table("employee | department | component | amount\n1 | PROD | GROSS | 10.00")
    first = build_journal(run, SCHEME)
    again = build_journal(run, SCHEME)
    other = build_journal(
        run_from_table("employee | department | component | amount\n1 | PROD | GROSS | 10.01"),
        SCHEME,
    )
    assert first.fingerprint() == again.fingerprint() != other.fingerprint()
