// signprep's Python module, _signprep: the public C++ API
// (include/signprep/*.h) bound with pybind11. The package around it
// (python/signprep/) adds MediaPipe's solution classes on top.
//
// Arrays: frames come in as uint8 [H, W, 3] without a copy when their pixels
// are interleaved (any row stride); results go out as NumPy arrays that own
// the C++ vectors they were computed in, without a copy.
// Every call that decodes, loads a model or runs one releases the GIL.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "signprep/error.h"
#include "signprep/extract.h"
#include "signprep/holistic.h"
#include "signprep/inception_v3.h"
#include "signprep/segmentation.h"
#include "signprep/video.h"

namespace py = pybind11;

namespace {

using py::literals::operator""_a;

// NumPy takes the vector over: a capsule owns it and frees it with the array.
template <typename T>
py::array owning_array(std::vector<T>&& values, std::vector<py::ssize_t> shape,
                       const py::dtype& dtype = py::dtype::of<T>()) {
  auto owned = std::make_unique<std::vector<T>>(std::move(values));
  T* data = owned->data();
  py::capsule owner(owned.get(), [](void* vector) {
    std::unique_ptr<std::vector<T>>(static_cast<std::vector<T>*>(vector));
  });
  owned.release();  // the capsule owns it now
  return py::array(dtype, std::move(shape), data, owner);
}

// An RGB frame's pixels as the API reads them: the array itself when its
// pixels are interleaved uint8 (rows may be strided, as in a crop), else a
// refusal; `keep` holds the array while the call runs.
signprep::RgbView rgb_view(const py::array& frame, const char* what = "image") {
  if (!py::dtype::of<std::uint8_t>().is(frame.dtype())) {
    throw py::value_error(std::string(what) + " must be a uint8 array (RGB, 0..255), not " +
                          std::string(py::str(frame.dtype())));
  }
  if (frame.ndim() != 3 || frame.shape(2) != 3) {
    throw py::value_error(std::string(what) + " must have the shape [height, width, 3], not " +
                          std::string(py::str(py::tuple(py::cast(std::vector<py::ssize_t>(
                              frame.shape(), frame.shape() + frame.ndim()))))));
  }
  if (frame.shape(0) == 0 || frame.shape(1) == 0) {
    throw py::value_error(std::string(what) + " is an empty frame");
  }
  if (frame.strides(2) != 1 || frame.strides(1) != 3 || frame.strides(0) < frame.shape(1) * 3) {
    throw py::value_error(std::string(what) +
                          "'s pixels must be interleaved RGB rows (np.ascontiguousarray(" + what +
                          ") makes them so)");
  }
  return {static_cast<const std::uint8_t*>(frame.data()), static_cast<int>(frame.shape(1)),
          static_cast<int>(frame.shape(0)), static_cast<std::size_t>(frame.strides(0))};
}

py::array rgb_array(signprep::RgbImage&& image) {
  const py::ssize_t height = image.height, width = image.width;
  return owning_array(std::move(image.pixels), {height, width, 3});
}

py::object landmark_array(std::optional<std::vector<signprep::Landmark>>&& block,
                          bool with_visibility) {
  if (!block) return py::none();
  const int columns = with_visibility ? 4 : 3;
  std::vector<float> values;
  values.reserve(block->size() * columns);
  for (const signprep::Landmark& p : *block) {
    values.insert(values.end(), {p.x, p.y, p.z});
    if (with_visibility) values.push_back(p.visibility);
  }
  return owning_array(std::move(values), {static_cast<py::ssize_t>(block->size()), columns});
}

// Holistic.process's result: the blocks as arrays, None where not found.
struct HolisticResult {
  py::object pose, pose_world, left_hand, right_hand, face;
};

std::optional<std::int64_t> microseconds(std::optional<double> timestamp_ms) {
  if (!timestamp_ms) return std::nullopt;
  return static_cast<std::int64_t>(std::llround(*timestamp_ms * 1000.0));
}

// The message of the error types signprep throws, as Python's exception of
// the same meaning.
void translate_errors(std::exception_ptr error) {
  try {
    if (error) std::rethrow_exception(error);
  } catch (const signprep::Error& e) {
    PyObject* type = PyExc_RuntimeError;
    switch (e.kind()) {
      case signprep::ErrorKind::kUsage:
        type = PyExc_ValueError;
        break;
      case signprep::ErrorKind::kInput:
      case signprep::ErrorKind::kOutput:
      case signprep::ErrorKind::kModel:
        type = PyExc_OSError;
        break;
      case signprep::ErrorKind::kUnavailable:
        type = PyExc_NotImplementedError;
        break;
      case signprep::ErrorKind::kDevice:
        type = PyExc_RuntimeError;
        break;
    }
    PyErr_SetString(type, e.what());
  }
}

// The keyword arguments extract() takes, into the C++ options.
signprep::ExtractOptions extract_options(const py::object& keypoints, bool iv3_features,
                                         const py::kwargs& more) {
  signprep::ExtractOptions o;
  // keypoints: True / False, or the command line's --keypoints word.
  if (py::isinstance<py::str>(keypoints)) {
    o.keypoint_set = py::cast<std::string>(keypoints);
  } else {
    o.keypoints = py::cast<bool>(keypoints);
  }
  o.iv3_features = iv3_features;
  for (const auto& [key, value] : more) {
    const std::string name = py::cast<std::string>(key);
    if (name == "target_fps")
      o.target_fps = py::cast<double>(value);
    else if (name == "sampling")
      o.sampling = py::cast<std::string>(value);
    else if (name == "out_size")
      o.out_size = py::cast<int>(value);
    else if (name == "conf_thresh")
      o.conf_thresh = py::cast<double>(value);
    else if (name == "max_gap")
      o.max_gap = py::cast<int>(value);
    else if (name == "feature_key")
      o.feature_key = py::cast<std::string>(value);
    else if (name == "occ_vis_thresh")
      o.occ_vis_thresh = py::cast<double>(value);
    else if (name == "occ_frame_prop")
      o.occ_frame_prop = py::cast<double>(value);
    else if (name == "occ_min_run")
      o.occ_min_run = py::cast<int>(value);
    else if (name == "models_dir")
      o.models_dir = py::cast<std::filesystem::path>(value);
    else if (name == "iv3_weights")
      o.iv3_weights = py::cast<std::filesystem::path>(value);
    else if (name == "threads")
      o.threads = py::cast<int>(value);
    else if (name == "model_complexity")
      o.model_complexity = py::cast<int>(value);
    else if (name == "refine_face")
      o.refine_face = py::cast<bool>(value);
    else if (name == "smooth_landmarks")
      o.smooth_landmarks = py::cast<bool>(value);
    else if (name == "segmentation")
      o.segmentation = py::cast<bool>(value);
    else
      throw py::type_error("extract() got an unexpected keyword argument '" + name + "'");
  }
  return o;
}

// --keypoints full's members, in the .npz's order.
void add_landmarks(signprep::LandmarkArrays&& found, py::ssize_t frames, py::dict& members) {
  const auto block = [&](const char* name, std::vector<float>&& values, py::ssize_t points,
                         py::ssize_t width) {
    members[name] = owning_array(std::move(values), {frames, points, width});
  };
  const auto present = [&](const char* name, std::vector<std::uint8_t>&& values) {
    members[name] = owning_array(std::move(values), {frames}, py::dtype("?"));
  };
  block("pose", std::move(found.pose), 33, 4);
  present("pose_present", std::move(found.pose_present));
  block("pose_world", std::move(found.pose_world), 33, 3);
  block("left_hand", std::move(found.left_hand), 21, 3);
  present("left_hand_present", std::move(found.left_hand_present));
  block("right_hand", std::move(found.right_hand), 21, 3);
  present("right_hand_present", std::move(found.right_hand_present));
  block("face", std::move(found.face), found.face_points, 3);
  present("face_present", std::move(found.face_present));
}

// The .npz's members in its order, meta parsed.
py::dict clip_dict(signprep::ClipArrays&& clip) {
  const py::ssize_t frames = clip.frames();
  py::dict members;
  if (!clip.X.empty()) members["X"] = owning_array(std::move(clip.X), {frames, 156});
  if (!clip.features.empty()) {
    members[py::str(clip.feature_key)] =
        owning_array(std::move(clip.features), {frames, signprep::InceptionV3::kFeatureCount});
  }
  if (!clip.mask.empty()) {
    members["mask"] = owning_array(std::move(clip.mask), {frames, 78}, py::dtype("?"));
  }
  members["timestamps_ms"] = owning_array(std::move(clip.timestamps_ms), {frames});
  members["meta"] = py::module_::import("json").attr("loads")(clip.meta_json);
  if (clip.landmarks) add_landmarks(std::move(*clip.landmarks), frames, members);
  return members;
}

// A video opened for iteration; close() (or leaving a `with` block) frees
// the decoder before the object goes.
class PyVideoReader {
 public:
  PyVideoReader(const std::filesystem::path& path, std::optional<double> target_fps,
                const std::string& sampling, int decoder_threads) {
    py::gil_scoped_release unlocked;
    reader_.emplace(path, signprep::VideoOptions{target_fps, sampling, decoder_threads});
  }
  signprep::VideoReader& reader() {
    if (!reader_) throw py::value_error("the VideoReader is closed");
    return *reader_;
  }
  py::tuple next() {
    std::optional<signprep::VideoFrame> frame;
    {
      signprep::VideoReader& open = reader();
      py::gil_scoped_release unlocked;
      frame = open.next();
    }
    if (!frame) throw py::stop_iteration();
    return py::make_tuple(frame->timestamp_ms, rgb_array(std::move(frame->rgb)));
  }
  void close() { reader_.reset(); }

 private:
  std::optional<signprep::VideoReader> reader_;
};

}  // namespace

PYBIND11_MODULE(_signprep, m) {
  m.doc() = "signprep's native core; use the `signprep` package.";
  m.attr("__version__") = SIGNPREP_VERSION;
  py::register_exception_translator(translate_errors);
  signprep::set_ffmpeg_logging(false);
  m.def("set_ffmpeg_logging", &signprep::set_ffmpeg_logging, "verbose"_a,
        "FFmpeg's own diagnostics on stderr (process-wide; off since import: VideoReader.damage\n"
        "says what the decoder skipped).");

  py::class_<HolisticResult>(m, "HolisticResult",
                             "One frame's landmarks, each block a float32 array or None when "
                             "not found.\n\n"
                             "pose: [33, 4] x, y, z, visibility; pose_world: [33, 4] x, y, z in "
                             "metres (origin between the hips), visibility; left_hand, "
                             "right_hand: [21, 3] (the person's left and right); face: [478, 3] "
                             "(468 without refinement). The other blocks' x and y are "
                             "normalised to the frame's width and height; z is on about x's "
                             "scale.")
      .def_readonly("pose", &HolisticResult::pose)
      .def_readonly("pose_world", &HolisticResult::pose_world)
      .def_readonly("left_hand", &HolisticResult::left_hand)
      .def_readonly("right_hand", &HolisticResult::right_hand)
      .def_readonly("face", &HolisticResult::face)
      .def("__repr__", [](const HolisticResult& r) {
        const auto found = [](const py::object& block) { return block.is_none() ? "-" : "found"; };
        return std::string("HolisticResult(pose=") + found(r.pose) +
               ", left_hand=" + found(r.left_hand) + ", right_hand=" + found(r.right_hand) +
               ", face=" + found(r.face) + ")";
      });

  py::class_<signprep::Holistic>(
      m, "Holistic",
      "MediaPipe Holistic on MediaPipe's own models, without MediaPipe: the pose, hand and\n"
      "face landmarks of each frame of a video, tracked from frame to frame.\n\n"
      "Args (MediaPipe's, with the Python tool's settings as defaults):\n"
      "  model_complexity: the pose landmark model: 0 lite, 1 full, 2 heavy.\n"
      "  smooth_landmarks: filter landmarks across frames to reduce jitter.\n"
      "  refine_face_landmarks: 478 face points (lips, eyes, irises refined), else 468.\n"
      "      True here; MediaPipe's default is False (signprep.solutions.holistic keeps it).\n"
      "  min_detection_confidence, min_tracking_confidence: in [0, 1].\n"
      "  static_image_mode: every frame on its own (detection each time, no tracking).\n"
      "  segment_background: the Python tool's preprocessing: selfie segmentation first,\n"
      "      pixels whose mask is <= 0.5 turned black (what `signprep --write-keypoints`\n"
      "      runs on frames resized to out_size).\n"
      "  models_dir: the MediaPipe models (default $SIGNPREP_MODELS_DIR, else the\n"
      "      checkout's models/).\n"
      "  threads: OpenMP threads per model run (1: run one object per core instead).\n\n"
      "One object follows one video and serves one thread at a time; objects in different\n"
      "threads run in parallel (process() releases the GIL).")
      .def(py::init([](int model_complexity, bool smooth_landmarks, bool refine_face_landmarks,
                       float min_detection_confidence, float min_tracking_confidence,
                       bool static_image_mode, bool segment_background,
                       std::optional<std::filesystem::path> models_dir, int threads) {
             py::gil_scoped_release unlocked;
             return signprep::Holistic({model_complexity, smooth_landmarks, refine_face_landmarks,
                                        min_detection_confidence, min_tracking_confidence,
                                        static_image_mode, segment_background,
                                        models_dir.value_or(""), threads});
           }),
           "model_complexity"_a = 1, "smooth_landmarks"_a = true, "refine_face_landmarks"_a = true,
           "min_detection_confidence"_a = 0.5f, "min_tracking_confidence"_a = 0.5f,
           "static_image_mode"_a = false, py::kw_only(), "segment_background"_a = false,
           "models_dir"_a = py::none(), "threads"_a = 1)
      .def(
          "process",
          [](signprep::Holistic& holistic, const py::array& rgb,
             std::optional<double> timestamp_ms) {
            const signprep::RgbView frame = rgb_view(rgb, "rgb");
            signprep::HolisticLandmarks found;
            {
              py::gil_scoped_release unlocked;
              found = holistic.process(frame, microseconds(timestamp_ms));
            }
            return HolisticResult{landmark_array(std::move(found.pose), true),
                                  landmark_array(std::move(found.pose_world), true),
                                  landmark_array(std::move(found.left_hand), false),
                                  landmark_array(std::move(found.right_hand), false),
                                  landmark_array(std::move(found.face), false)};
          },
          "rgb"_a, "timestamp_ms"_a = py::none(),
          "The landmarks of the next frame of the video (uint8 RGB [H, W, 3]).\n\n"
          "timestamp_ms must increase from call to call; without it the k-th call since\n"
          "construction or reset() is stamped (k + 1) x 33.333 ms, as MediaPipe's Python\n"
          "solution does. Returns a HolisticResult.")
      .def("reset", &signprep::Holistic::reset,
           "Forgets the tracking and smoothing state: the next frame starts a new video.");

  py::class_<signprep::SelfieSegmentation>(
      m, "SelfieSegmentation",
      "MediaPipe's selfie segmentation (model_selection=1, the landscape model): the\n"
      "probability that each pixel shows a person. Frames are independent.")
      .def(py::init([](int model_selection, std::optional<std::filesystem::path> models_dir,
                       int threads) {
             py::gil_scoped_release unlocked;
             return signprep::SelfieSegmentation(
                 {model_selection, models_dir.value_or(""), threads});
           }),
           "model_selection"_a = 1, py::kw_only(), "models_dir"_a = py::none(), "threads"_a = 1)
      .def(
          "process",
          [](signprep::SelfieSegmentation& segmentation, const py::array& rgb) {
            const signprep::RgbView frame = rgb_view(rgb, "rgb");
            signprep::SegmentationMask mask;
            {
              py::gil_scoped_release unlocked;
              mask = segmentation.process(frame);
            }
            return owning_array(std::move(mask.values), {mask.height, mask.width});
          },
          "rgb"_a, "The mask, float32 [H, W] in [0, 1], of a uint8 RGB frame [H, W, 3].");

  py::class_<PyVideoReader>(
      m, "VideoReader",
      "The frames of a video file decoded by FFmpeg: iterate to get (timestamp_ms, rgb)\n"
      "pairs, rgb a uint8 array [H, W, 3], upright (rotation metadata applied).\n\n"
      "target_fps: keep only the frames that reach each 1/target_fps slot, as\n"
      "    `signprep --target-fps` does (None: every frame); sampling: \"on-slot\" or\n"
      "    \"python\" (the Python tool's arithmetic), as `--sampling`.\n"
      "timestamp_ms is the time since the first frame, truncated to whole milliseconds\n"
      "as the .npz's timestamps_ms stores it. Usable as a context manager.")
      .def(py::init<const std::filesystem::path&, std::optional<double>, const std::string&, int>(),
           "path"_a, "target_fps"_a = py::none(), "sampling"_a = "on-slot", py::kw_only(),
           "decoder_threads"_a = 0)
      .def("__iter__", [](PyVideoReader& self) -> PyVideoReader& { return self; })
      .def("__next__", &PyVideoReader::next)
      .def("__enter__", [](PyVideoReader& self) -> PyVideoReader& { return self; })
      .def("__exit__", [](PyVideoReader& self, const py::args&) { self.close(); })
      .def("close", &PyVideoReader::close, "Frees the decoder now.")
      .def_property_readonly(
          "fps", [](PyVideoReader& s) { return s.reader().properties().fps; },
          "Average frame rate of the stream (0 when unknown).")
      .def_property_readonly("width",
                             [](PyVideoReader& s) { return s.reader().properties().width; })
      .def_property_readonly("height",
                             [](PyVideoReader& s) { return s.reader().properties().height; })
      .def_property_readonly(
          "size",
          [](PyVideoReader& s) {
            return py::make_tuple(s.reader().properties().width, s.reader().properties().height);
          },
          "(width, height), upright.")
      .def_property_readonly("rotation",
                             [](PyVideoReader& s) { return s.reader().properties().rotation; })
      .def_property_readonly("duration_s",
                             [](PyVideoReader& s) { return s.reader().properties().duration_s; })
      .def_property_readonly(
          "frame_estimate", [](PyVideoReader& s) { return s.reader().properties().frame_estimate; },
          "Frames in the stream, from its duration and rate (0 when unknown): before decoding;\n"
          "frames_decoded counts them exactly.")
      .def_property_readonly("codec",
                             [](PyVideoReader& s) { return s.reader().properties().codec; })
      .def_property_readonly("container",
                             [](PyVideoReader& s) { return s.reader().properties().container; })
      .def_property_readonly("frames_decoded",
                             [](PyVideoReader& s) { return s.reader().frames_decoded(); })
      .def_property_readonly(
          "damage", [](PyVideoReader& s) { return s.reader().damage(); },
          "What the decoder skipped or found cut short (None for a clean stream), once the\n"
          "iteration ended.");

  py::class_<signprep::Extractor>(
      m, "Extractor",
      "The arrays `signprep IN OUT` writes into a clip's .npz, in memory and bit-identical\n"
      "for the same options: models loaded once, for many clips. Keyword options are the\n"
      "command line's (target_fps=15, sampling='on-slot', out_size=256, conf_thresh=0.5,\n"
      "max_gap=5, feature_key='X2048', occ_vis_thresh=0.6, occ_frame_prop=0.4,\n"
      "occ_min_run=15, model_complexity=1, refine_face=True, smooth_landmarks=True,\n"
      "segmentation=True, models_dir=None, iv3_weights=None, threads=1). keypoints=\"full\"\n"
      "adds Holistic's whole output (--keypoints full).")
      .def(py::init([](const py::object& keypoints, bool iv3_features, const py::kwargs& options) {
             const signprep::ExtractOptions o = extract_options(keypoints, iv3_features, options);
             py::gil_scoped_release unlocked;
             return signprep::Extractor(o);
           }),
           "keypoints"_a = true, "iv3_features"_a = false)
      .def(
          "extract",
          [](signprep::Extractor& extractor, const std::filesystem::path& video) {
            signprep::ClipArrays clip;
            {
              py::gil_scoped_release unlocked;
              clip = extractor.extract(video);
            }
            return clip_dict(std::move(clip));
          },
          "path"_a,
          "A dict of the .npz's members in its order: X [T, 156] float32 and mask [T, 78]\n"
          "bool (keypoints), the features [T, 2048] float32 under feature_key, timestamps_ms\n"
          "[T] int64, and meta parsed into a dict; with keypoints=\"full\" then pose\n"
          "[T, 33, 4], pose_present, pose_world [T, 33, 3], left_hand, right_hand [T, 21, 3],\n"
          "their *_present, face [T, 478, 3] and face_present (NaN where absent).");

  py::class_<signprep::InceptionV3>(
      m, "InceptionV3",
      "InceptionV3's 2048-d frame features as `signprep --write-iv3-features` computes them\n"
      "(torchvision's inception_v3, eval mode, fc removed; the frame resized to 299x299).\n"
      "weights: safetensors with torchvision's names (default $SIGNPREP_IV3_WEIGHTS, else\n"
      "models/inception_v3.safetensors).")
      .def(py::init([](std::optional<std::filesystem::path> weights, int threads) {
             py::gil_scoped_release unlocked;
             return signprep::InceptionV3({weights.value_or(""), threads});
           }),
           "weights"_a = py::none(), py::kw_only(), "threads"_a = 1)
      .def(
          "features",
          [](signprep::InceptionV3& network, const py::array& frames) {
            if (frames.ndim() != 4) {
              throw py::value_error("frames must have the shape [N, height, width, 3]");
            }
            std::vector<signprep::RgbView> views;
            for (py::ssize_t i = 0; i < frames.shape(0); ++i) {
              views.push_back(rgb_view(py::array(frames[py::int_(i)]), "frames[i]"));
            }
            std::vector<float> features;
            {
              py::gil_scoped_release unlocked;
              features = network.features(views);
            }
            return owning_array(std::move(features), {static_cast<py::ssize_t>(views.size()),
                                                      signprep::InceptionV3::kFeatureCount});
          },
          "frames"_a, "float32 [N, 2048] for uint8 RGB frames [N, H, W, 3].");

  // help() and repr() name the package users import, not the compiled module.
  for (const char* name : {"HolisticResult", "Holistic", "SelfieSegmentation", "VideoReader",
                           "Extractor", "InceptionV3", "set_ffmpeg_logging"}) {
    m.attr(name).attr("__module__") = "signprep";
  }
}
