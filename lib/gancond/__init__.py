"""gancond: generator conditioning and Jacobian Clamping (Odena et al., ICML 2018).

Modules, by responsibility:

- ``data``       datasets as tensors in [-1, 1] (MNIST, CIFAR-10, STL-10 at 48x48)
- ``models``     DCGAN generator / discriminator for 28x28x1, 32x32x3, 48x48x3
- ``jacobian``   per-z Jacobians J_z, singular values, log-condition numbers (pure math)
- ``clamping``   the Jacobian Clamping penalty of Algorithm 1 (pure math)
- ``loop``       the training loop the trainers share (resume, cadence, clocks, tables)
- ``train``      the non-saturating GAN trainer with optional clamping
- ``runs``       the content-addressed run store
- ``scales``     the smoke / book / paper presets
- ``scores``     classifier score, Frechet distance, mode statistics
- ``classifier`` the frozen classifiers behind the scores (trained once, stored)
- ``vae``        the VAE whose decoder is the GAN generator (Fig. 3)
- ``memorize``   the memorizing generator of Appendix B.1 (Figs. 8-11)
- ``wgan``       the class-conditional WGAN-GP trainer of Sec. 4 (Fig. 7)
- ``resnet``     the WGAN-GP reference's conditional ResNet generator and critic
- ``analysis``   correlations, differences and clusters over runs
- ``report``     the chapters' "paper vs this build" tables and checks
- ``plots``      the figure style and the paper's panel layouts
"""

__version__ = "0.1.0"
