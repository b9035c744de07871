"""gancond: generator conditioning and Jacobian Clamping (Odena et al., ICML 2018).

Modules, by layer (a module imports only from modules above it in this list):

- ``data``        datasets as tensors in [-1, 1] (MNIST, CIFAR-10, STL-10 at 48x48)
- ``models``      DCGAN generator / discriminator for 28x28x1, 32x32x3, 48x48x3
- ``resnet``      the WGAN-GP reference's conditional ResNet generator and critic
- ``jacobian``    per-z Jacobians J_z, singular values, log-condition numbers (pure math)
- ``clamping``    the Jacobian Clamping penalty of Algorithm 1 (pure math)
- ``runs``        the content-addressed run store
- ``loop``        the training loop the trainers share (resume, cadence, clocks, tables)

trainers, each taking a config and nothing else from the chapters:

- ``train``       the non-saturating GAN trainer with optional clamping
- ``vae``         the VAE whose decoder is the GAN generator (Fig. 3)
- ``memorize``    the memorizing generator of Appendix B.1 (Figs. 8-11)
- ``wgan``        the class-conditional WGAN-GP trainer of Sec. 4 (Fig. 7)
- ``classifier``  the frozen classifiers behind the scores (trained once, stored)

above the trainers:

- ``experiments`` every smoke / book / paper preset, the chapters' parameter validation, the
  builders of run configs (one ``Experiment`` shape for every kind of run), ``load_model``
- ``scores``      classifier score, Frechet distance, mode statistics
- ``analysis``    correlations, differences and clusters over runs
- ``report``      the chapters' "paper vs this build" tables and checks
- ``spectra``     average-Jacobian spectra of generators and decoders over runs (Figs. 3-4)
- ``modes``       the missing-modes test: each model's class histogram, a uniform sampler's least count
- ``plots``       the figure style and the paper's panel layouts
- ``chapter``     what every chapter starts with (thread cap, plot style, settings line, data note), "mean ± sd"
- ``claims``      the paper's claims, judged on this build's runs
- ``collapse``    what a generator does on random z: collapse onto the copied 4, scores (B.1)
- ``speedup``     Fig. 7's measurements: the WGAN-GP settings' scores, collapses and times to a score
- ``arms``        the GAN arms chapters 1-4 share, and what chapters 1-2 compute from them
- ``bundles``     completed runs exported to results/ and read back (paper-scale evidence)
- ``reach``       the reach ladder: each claim's statistic on every rung (book, long, wide, CIFAR-10)
"""

__version__ = "0.1.0"
