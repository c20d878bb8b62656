"""The teaching maths behind the pages, pure and tested against torch: convolution, kernels, parameter
counts, the L1 layer, the architecture table, mini-batches, collapse diagnostics, the one-shot demo."""
