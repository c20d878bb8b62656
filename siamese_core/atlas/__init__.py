"""The atlas of pretrained runs the pages show at once: the grid and its lookup (`grid`), one cell on disk
(`store`), the command that trains it (`build`), and the sentence that labels a pretrained result (`label`).
Above the web app's services: a cell is a page's run."""
