"""Staff roles as Django groups: who may run which command."""

VIEWER = "Viewer"
STOCK_CLERK = "Stock clerk"
INVENTORY_MANAGER = "Inventory manager"

# Clerks and managers reserve, release and fulfil; expiry is the system's alone (no role holds it).
RESERVATION_PERMISSIONS = ["reserve_stock", "release_reservation", "fulfil_reservation"]

ROLE_PERMISSIONS = {
    VIEWER: ["view_product", "view_location"],
    STOCK_CLERK: [
        "view_product",
        "view_location",
        "receive_stock",
        "issue_stock",
        "count_stock",
        "transfer_stock",
        *RESERVATION_PERMISSIONS,
    ],
    INVENTORY_MANAGER: [
        "view_product",
        "view_location",
        "transfer_stock",
        "add_location",
        "change_location",
        "archive_location",
        "add_product",
        "change_product",
        "receive_stock",
        "issue_stock",
        "count_stock",
        "archive_product",
        *RESERVATION_PERMISSIONS,
        "reverse_movement",
    ],
}
