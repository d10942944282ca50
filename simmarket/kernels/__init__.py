"""Compiled kernels (numba) for the week's hottest loops over children and homes.

Each kernel does exactly the arithmetic of the NumPy code it replaces, in the same order, so a
run's numbers do not change (the golden test and whole-run fingerprints check it bit for bit).
Random draws stay with NumPy's generators in the phases; kernels take the draws as arrays.
Kernels are compiled on first use and cached beside their module (numba's `cache=True`), so only
a fresh install pays the compile time. They sit in the bottom layer, beside `arrays`: plain
functions of arrays, knowing nothing of the model. A kernel's helpers sit in its own module, even
where another module has a twin (the bit count of a child's unmet needs in `rows` and `search`):
numba's cache is renewed when a kernel's own file changes, not when a module it calls does.
"""
