"""Commands validate their own fields: every rule, its message, and the normalised values."""

import uuid
from decimal import Decimal

import pytest

from products.write.commands import (
    COUNT_RANGE,
    DESCRIPTION_MAX_LENGTH,
    MAX_PRICE,
    MAX_QUANTITY,
    MAX_REORDER_LEVEL,
    NAME_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    NUL_CHARACTER,
    PRICE_INVALID,
    QUANTITY_RANGE,
    REORDER_RANGE,
    REQUIRED,
    SKU_INVALID,
    SKU_MAX_LENGTH,
    VERSION_INVALID,
    ArchiveProduct,
    CountStock,
    CreateProduct,
    IssueStock,
    ReceiveStock,
    UpdateProductDetails,
)
from products.write.errors import InvalidCommand

PID = uuid.uuid4()


def errors_of(command_class, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(InvalidCommand) as caught:
        command_class(**kwargs)
    assert caught.value.status == 400
    assert caught.value.code == "invalid"
    return caught.value.field_errors


def create(**overrides) -> CreateProduct:
    return CreateProduct(**({"sku": "ACC-001", "name": "Widget"} | overrides))


def create_errors(**overrides) -> dict[str, list[str]]:
    return errors_of(CreateProduct, **({"sku": "ACC-001", "name": "Widget"} | overrides))


class TestCreateProduct:
    def test_defaults_and_normalisation(self):
        command = create(sku="  ACC-001 ", name="  Widget\t", description=" d ", price="3.5", reorder_level="7")
        assert command.sku == "ACC-001"
        assert command.name == "Widget"
        assert command.description == "d"
        assert command.price == Decimal("3.50")
        assert command.reorder_level == 7
        assert isinstance(command.product_id, uuid.UUID)
        assert isinstance(command.command_id, uuid.UUID)

    def test_defaults(self):
        command = create()
        assert (command.description, command.price, command.reorder_level) == ("", Decimal("0.00"), 0)

    def test_each_command_gets_its_own_ids(self):
        assert create().command_id != create().command_id
        assert create().product_id != create().product_id

    def test_string_ids_become_uuids(self):
        command = create(product_id=str(PID), command_id=str(PID))
        assert command.product_id == PID and command.command_id == PID

    @pytest.mark.parametrize("bad", ["nope", "", None, 12])
    def test_bad_ids(self, bad):
        assert create_errors(product_id=bad, command_id=bad) == {
            "command_id": ["Enter a valid UUID."],
            "product_id": ["Enter a valid UUID."],
        }

    @pytest.mark.parametrize("sku", ["", "   ", None])
    def test_sku_required(self, sku):
        assert create_errors(sku=sku) == {"sku": [REQUIRED]}

    @pytest.mark.parametrize("sku", ["-ACC", "ACC 001", "ACC#1", "ÄCC-1", ".x", "a\nb"])
    def test_sku_pattern(self, sku):
        assert create_errors(sku=sku) == {"sku": [SKU_INVALID]}

    @pytest.mark.parametrize("sku", ["a", "ACC-001", "x.y_z/1-2", "9"])
    def test_sku_accepted(self, sku):
        assert create(sku=sku).sku == sku

    def test_text_limits(self):
        assert create(sku="A" * SKU_MAX_LENGTH, name="n" * NAME_MAX_LENGTH, description="d" * DESCRIPTION_MAX_LENGTH)
        assert create_errors(sku="A" * (SKU_MAX_LENGTH + 1), name="n" * (NAME_MAX_LENGTH + 1)) == {
            "sku": [f"Ensure this value has at most {SKU_MAX_LENGTH} characters."],
            "name": [f"Ensure this value has at most {NAME_MAX_LENGTH} characters."],
        }
        assert create_errors(description="d" * (DESCRIPTION_MAX_LENGTH + 1)) == {
            "description": [f"Ensure this value has at most {DESCRIPTION_MAX_LENGTH} characters."]
        }

    def test_length_counts_after_stripping(self):
        assert create(name=" " + "n" * NAME_MAX_LENGTH + " ").name == "n" * NAME_MAX_LENGTH

    @pytest.mark.parametrize("field", ["sku", "name", "description"])
    def test_nul_characters_refused(self, field):
        assert create_errors(**{field: "AB\x00C"}) == {field: [NUL_CHARACTER]}

    @pytest.mark.parametrize("value", [12, ["x"], b"bytes"])
    def test_text_must_be_text(self, value):
        assert create_errors(name=value) == {"name": ["Enter text."]}

    def test_name_required(self):
        assert create_errors(name="  ") == {"name": [REQUIRED]}

    def test_all_errors_reported_at_once(self):
        found = errors_of(CreateProduct, sku="", name="", price="-1", reorder_level=-1)
        assert found == {
            "sku": [REQUIRED],
            "name": [REQUIRED],
            "price": [PRICE_INVALID],
            "reorder_level": [REORDER_RANGE],
        }


class TestPrice:
    @pytest.mark.parametrize(
        ("given", "stored"),
        [
            ("0", Decimal("0.00")),
            (0, Decimal("0.00")),
            ("1.5", Decimal("1.50")),
            (" 2.25 ", Decimal("2.25")),
            (Decimal("3.10"), Decimal("3.10")),
            ("1.500", Decimal("1.50")),
            (MAX_PRICE, MAX_PRICE),
            (7, Decimal("7.00")),
        ],
    )
    def test_accepted(self, given, stored):
        price = create(price=given).price
        assert price == stored
        assert price.as_tuple().exponent == -2

    @pytest.mark.parametrize(
        "given",
        [
            "-0.01",
            "1.005",
            "abc",
            "",
            None,
            True,
            False,
            "NaN",
            "Infinity",
            "-Infinity",
            "1e400",
            MAX_PRICE + 1,
            "1,50",
        ],
    )
    def test_refused(self, given):
        assert create_errors(price=given) == {"price": [PRICE_INVALID]}

    def test_float_with_exact_cents_is_accepted_as_its_decimal_text(self):
        assert create(price=2.5).price == Decimal("2.50")

    def test_float_with_binary_noise_is_refused(self):
        assert create_errors(price=0.1 + 0.2) == {"price": [PRICE_INVALID]}


class TestWholeNumbers:
    @pytest.mark.parametrize(("given", "stored"), [(0, 0), ("12", 12), (" 3 ", 3), ("4.0", 4), (Decimal("5"), 5)])
    def test_reorder_level_accepted(self, given, stored):
        value = create(reorder_level=given).reorder_level
        assert value == stored and type(value) is int

    @pytest.mark.parametrize(
        "given",
        [
            -1,
            "1.5",
            2.0,
            1.5,
            True,
            False,
            None,
            "",
            "ten",
            "9e999999999",
            "9" * 5000,
            MAX_REORDER_LEVEL + 1,
            10**100,
            "NaN",
        ],
    )
    def test_reorder_level_refused(self, given):
        assert create_errors(reorder_level=given) == {"reorder_level": [REORDER_RANGE]}

    def test_reorder_level_upper_bound(self):
        assert create(reorder_level=MAX_REORDER_LEVEL).reorder_level == MAX_REORDER_LEVEL

    @pytest.mark.parametrize("command_class", [ReceiveStock, IssueStock])
    @pytest.mark.parametrize("given", [0, -1, 1.0, True, None, "", "x", "2.5", MAX_QUANTITY + 1, 10**30, "Infinity"])
    def test_quantity_refused(self, command_class, given):
        assert errors_of(command_class, product_id=PID, quantity=given) == {"quantity": [QUANTITY_RANGE]}

    @pytest.mark.parametrize("command_class", [ReceiveStock, IssueStock])
    def test_quantity_bounds_and_note(self, command_class):
        low = command_class(product_id=str(PID), quantity="1", note="  PO-1 ")
        assert (low.product_id, low.quantity, low.note) == (PID, 1, "PO-1")
        assert command_class(product_id=PID, quantity=MAX_QUANTITY).quantity == MAX_QUANTITY

    def test_count_may_be_zero(self):
        assert CountStock(product_id=PID, quantity=0).quantity == 0

    @pytest.mark.parametrize("given", [-1, MAX_QUANTITY + 1, 1.0, False, None])
    def test_count_refused(self, given):
        assert errors_of(CountStock, product_id=PID, quantity=given) == {"quantity": [COUNT_RANGE]}

    @pytest.mark.parametrize("command_class", [ReceiveStock, IssueStock, CountStock])
    def test_note_rules(self, command_class):
        assert command_class(product_id=PID, quantity=1, note=None).note == ""
        assert command_class(product_id=PID, quantity=1, note="n" * NOTE_MAX_LENGTH).note
        assert errors_of(command_class, product_id=PID, quantity=1, note="n" * (NOTE_MAX_LENGTH + 1)) == {
            "note": [f"Ensure this value has at most {NOTE_MAX_LENGTH} characters."]
        }
        assert errors_of(command_class, product_id=PID, quantity=1, note="a\x00") == {"note": [NUL_CHARACTER]}

    @pytest.mark.parametrize("command_class", [ReceiveStock, IssueStock, CountStock, ArchiveProduct])
    def test_product_id_must_be_a_uuid(self, command_class):
        extra = {} if command_class is ArchiveProduct else {"quantity": 1}
        assert errors_of(command_class, product_id="42", **extra) == {"product_id": ["Enter a valid UUID."]}


class TestUpdateProductDetails:
    def base(self, **overrides):
        return {
            "product_id": PID,
            "expected_version": 1,
            "sku": "ACC-001",
            "name": "Widget",
            "price": "1",
            "reorder_level": 0,
        } | overrides

    def test_valid(self):
        command = UpdateProductDetails(**self.base(expected_version="3", name=" Gadget "))
        assert (command.expected_version, command.name, command.price) == (3, "Gadget", Decimal("1.00"))

    @pytest.mark.parametrize("given", [0, -1, "x", 1.0, True, None, 2**62 + 1])
    def test_version_refused(self, given):
        assert errors_of(UpdateProductDetails, **self.base(expected_version=given)) == {
            "expected_version": [VERSION_INVALID]
        }

    def test_detail_rules_are_the_create_rules(self):
        assert errors_of(UpdateProductDetails, **self.base(sku="bad sku", name="", price="x")) == {
            "sku": [SKU_INVALID],
            "name": [REQUIRED],
            "price": [PRICE_INVALID],
        }


def test_commands_are_frozen():
    command = create()
    with pytest.raises(AttributeError):
        command.sku = "OTHER"


def test_as_dict_is_json_friendly():
    command = ReceiveStock(product_id=PID, quantity=3, note="x", command_id=PID)
    assert command.as_dict() == {
        "command_id": str(PID),
        "product_id": str(PID),
        "quantity": 3,
        "note": "x",
        "location": "MAIN",
    }
    assert create(price="1.2").as_dict()["price"] == "1.20"


def test_fields_are_keyword_only():
    with pytest.raises(TypeError):
        ReceiveStock(PID, 3)
