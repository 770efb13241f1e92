"""The meal-ordering mini-program backend (信订餐): diners, menus, orders, bills, notices."""
