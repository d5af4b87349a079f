"""A drop-in for ``mediapipe.solutions.holistic``: the same class, options, results and
enums, computed by signprep on MediaPipe's own models.

    from signprep.solutions import holistic as mp_holistic

    with mp_holistic.Holistic(min_detection_confidence=0.5) as holistic:
        results = holistic.process(rgb_image)
        if results.right_hand_landmarks:
            tip = results.right_hand_landmarks.landmark[mp_holistic.HandLandmark.INDEX_FINGER_TIP]
"""
from .. import _signprep
from ._landmarks import landmark_list, world_landmark_list
from .hands import HandLandmark
from ._solution import Solution
from .pose import PoseLandmark

__all__ = ["Holistic", "HandLandmark", "PoseLandmark"]


class HolisticResults:
    """What ``Holistic.process`` returns, as MediaPipe's NamedTuple names it: each
    ``*_landmarks`` is None or has ``.landmark[i].x/.y/.z`` (pose also ``.visibility``);
    ``pose_world_landmarks`` in metres, origin between the hips."""
    __slots__ = ("pose_landmarks", "pose_world_landmarks", "left_hand_landmarks",
                 "right_hand_landmarks", "face_landmarks", "segmentation_mask")

    def __init__(self, found):
        self.pose_landmarks = landmark_list(found.pose)
        self.pose_world_landmarks = world_landmark_list(found.pose_world)
        self.left_hand_landmarks = landmark_list(found.left_hand)
        self.right_hand_landmarks = landmark_list(found.right_hand)
        self.face_landmarks = landmark_list(found.face)
        self.segmentation_mask = None  # MediaPipe's too, without enable_segmentation


class Holistic(Solution):
    """MediaPipe Holistic: pose, hand and face landmarks of the most prominent person.

    The arguments are MediaPipe's, with its defaults. enable_segmentation=True (the pose
    model's mask) is not built and raises NotImplementedError; signprep.SelfieSegmentation
    gives a person mask. One object follows one video, from one thread at a time.
    """

    def __init__(self, static_image_mode=False, model_complexity=1, smooth_landmarks=True,
                 enable_segmentation=False, smooth_segmentation=True,
                 refine_face_landmarks=False, min_detection_confidence=0.5,
                 min_tracking_confidence=0.5):
        del smooth_segmentation  # only read with enable_segmentation
        if enable_segmentation:
            raise NotImplementedError(
                "enable_segmentation=True is not built in signprep; "
                "signprep.SelfieSegmentation gives a person mask")
        super().__init__(_signprep.Holistic(
            model_complexity=model_complexity,
            smooth_landmarks=smooth_landmarks and not static_image_mode,
            refine_face_landmarks=refine_face_landmarks,
            min_detection_confidence=min_detection_confidence,
            min_tracking_confidence=min_tracking_confidence,
            static_image_mode=static_image_mode))

    def process(self, image):
        """The landmarks of an RGB image (uint8 numpy array [H, W, 3]), the next frame of
        the video unless static_image_mode. Returns a HolisticResults."""
        return HolisticResults(self._open().process(image))

    def reset(self):
        """Starts a new video (MediaPipe's reset())."""
        self._open().reset()
