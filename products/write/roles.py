"""Staff roles as Django groups: who may run which command."""

VIEWER = "Viewer"
STOCK_CLERK = "Stock clerk"
INVENTORY_MANAGER = "Inventory manager"

ROLE_PERMISSIONS = {
    VIEWER: ["view_product"],
    STOCK_CLERK: ["view_product", "receive_stock", "issue_stock", "count_stock"],
    INVENTORY_MANAGER: [
        "view_product",
        "add_product",
        "change_product",
        "receive_stock",
        "issue_stock",
        "count_stock",
        "archive_product",
        "reverse_movement",
    ],
}
