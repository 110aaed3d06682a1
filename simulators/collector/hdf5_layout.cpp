#include "hdf5_layout.hpp"

#include "mas/core/error.hpp"

namespace mas::sims {

Hdf5Handle::Hdf5Handle(hid_t id, herr_t (*close)(hid_t), const std::string& failure) : id_(id), close_(close) {
    if (id_ < 0) throw Error(failure);
}

void Hdf5Handle::close(const std::string& failure) {
    const auto id = id_;
    id_ = -1;
    if (close_(id) < 0) throw Error(failure);
}

Hdf5Handle utf8_text_type() {
    const std::string failure = "HDF5 could not make a string type";
    Hdf5Handle type(H5Tcopy(H5T_C_S1), H5Tclose, failure);
    if (H5Tset_size(type.get(), H5T_VARIABLE) < 0 || H5Tset_cset(type.get(), H5T_CSET_UTF8) < 0) throw Error(failure);
    return type;
}

std::string link_name(std::string_view attr) {
    std::string out;
    for (const char c : attr) {
        if (c == '%') {
            out += "%25";
        } else if (c == '/') {
            out += "%2F";
        } else {
            out += c;
        }
    }
    if (out.empty() || out == ".") out = out.empty() ? "%00" : "%2E";
    return out;
}

std::string attribute_name(std::string_view link) {
    if (link == "%00") return "";
    if (link == "%2E") return ".";
    std::string out;
    for (std::size_t i = 0; i < link.size(); ++i) {
        if (link.substr(i, 3) == "%2F") {
            out += '/';
            i += 2;
        } else if (link.substr(i, 3) == "%25") {
            out += '%';
            i += 2;
        } else {
            out += link[i];
        }
    }
    return out;
}

}  // namespace mas::sims
