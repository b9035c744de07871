"""gancond: generator conditioning and Jacobian Clamping (Odena et al., ICML 2018).

The reusable pieces, for any ``torch.nn.Module`` G mapping z (B, n_z) to a tensor (B, ...), on
CPU or CUDA (a conditional G through ``labels=`` or a closure of z alone):

- ``log_condition_numbers(G, z)``: per-z log kappa(M_z), M_z = J_z^T J_z, kappa(M) = kappa(J)^2
  (``kind="J"`` for log kappa(J_z)); ``mean_log_condition(G, z)``: their mean (Sec. 3, Figs. 1, 2)
- ``average_jacobian_spectrum(G, z)``: singular values of E_z[J_z] (Figs. 3, 4)
- ``jacobian_clamping(G, z, lambda_min, lambda_max, eps, q_mode)``: Algorithm 1's penalty,
  Q per sample (``"per_sample"``) or per batch (``"batch"``)
- ``lambdas_from_q(q)``, ``calibrate_lambdas(q_by_run, scores)``: λ_min, λ_max from Q values (Sec. 4)
- ``classifier_score(logits)`` (eq. 3); ``frechet_distance(mu1, sigma1, mu2, sigma2)`` and
  ``frechet_distance_from_features(f1, f2)`` (eq. 4), ``gaussian_moments(features)``

The Jacobian functions need G in eval mode (call ``G.eval()``); bad arguments raise one
ValueError or TypeError that names the argument. The core install computes all of this
(numpy, pandas, scipy, torch, tqdm); datasets, the Inception network, plots and the book stack
are extras (``pip install "gancond[book]"`` for all of them).

Modules, by layer (a module imports only from modules above it in this list):

- ``data``        datasets as tensors in [-1, 1] (MNIST, CIFAR-10, STL-10 at 48x48)
- ``models``      DCGAN generator / discriminator for 28x28x1, 32x32x3, 48x48x3
- ``resnet``      the WGAN-GP reference's conditional ResNet generator and critic
- ``jacobian``    per-z Jacobians J_z, singular values, log-condition numbers (pure math)
- ``measures``    conditioning measures that survive a singular J_z: log κ½, effective rank (App. A; pure math)
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
- ``appendix_a``  the rules for Appendix A's measures and for partly resolved rungs (issue 27)
- ``collapse``    what a generator does on random z: collapse onto the copied 4, scores (B.1)
- ``speedup``     Fig. 7's measurements: the WGAN-GP settings' scores, collapses and times to a score
- ``arms``        the GAN arms chapters 1-4 share, and what chapters 1-2 compute from them
- ``bundles``     completed runs exported to results/ and read back (paper-scale evidence)
- ``provenance``  what decides a run's numbers besides its config: scorer weights, CPU capability
- ``resolution``  whether a run's final log κ is a measurement or float32's floor (float64 check); the per-z rule
- ``reach``       the reach ladder: each claim's statistic on every rung (book, long, wide, CIFAR-10)
"""

from importlib.metadata import PackageNotFoundError as _PackageNotFoundError
from importlib.metadata import version as _version

try:
    __version__ = _version("gancond")
except _PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"

# The public names (issue 30: imported at once, so that help(gancond) lists them and nothing else).
from .clamping import ClampOutput, calibrate_lambdas, jacobian_clamping, lambdas_from_q
from .jacobian import average_jacobian_spectrum, log_condition_numbers, mean_log_condition
from .scores import classifier_score, frechet_distance, frechet_distance_from_features, gaussian_moments

__all__ = ["log_condition_numbers", "mean_log_condition", "average_jacobian_spectrum", "jacobian_clamping",
           "ClampOutput", "lambdas_from_q", "calibrate_lambdas", "classifier_score", "frechet_distance",
           "frechet_distance_from_features", "gaussian_moments", "__version__"]
