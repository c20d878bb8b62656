"""The atlas of pretrained runs the pages' sliders explore: the grid and its lookup (`grid`), one cell on disk
(`store`), and the command that trains it (`build`). Above the web app's services: a cell is a page's run."""
