// Code generated via abigen V2 - DO NOT EDIT.
// This file is a generated binding and any manual changes will be lost.

package contracts

import (
	"bytes"
	"errors"
	"math/big"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// Reference imports to suppress errors if they are not otherwise used.
var (
	_ = bytes.Equal
	_ = errors.New
	_ = big.NewInt
	_ = common.Big1
	_ = types.BloomLookup
	_ = abi.ConvertType
)

// DrillAttackerMetaData contains all meta data concerning the DrillAttacker contract.
var DrillAttackerMetaData = bind.MetaData{
	ABI: "[{\"inputs\":[{\"internalType\":\"address\",\"name\":\"vault_\",\"type\":\"address\"}],\"stateMutability\":\"nonpayable\",\"type\":\"constructor\"},{\"inputs\":[],\"name\":\"NotOwner\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"TransferFailed\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"times\",\"type\":\"uint256\"}],\"name\":\"attack\",\"outputs\":[],\"stateMutability\":\"payable\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"owner\",\"outputs\":[{\"internalType\":\"address\",\"name\":\"\",\"type\":\"address\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"vault\",\"outputs\":[{\"internalType\":\"contractIDrillVault\",\"name\":\"\",\"type\":\"address\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"stateMutability\":\"payable\",\"type\":\"receive\"}]",
	ID:  "DrillAttacker",
	Bin: "0x60c060405234801561000f575f5ffd5b5060405161045838038061045883398101604081905261002e91610043565b6001600160a01b03166080523360a052610070565b5f60208284031215610053575f5ffd5b81516001600160a01b0381168114610069575f5ffd5b9392505050565b60805160a05161039f6100b95f395f8181610125015281816101a101526102d501525f8181604601528181608e01528181610174015281816101e70152610257015261039f5ff3fe608060405260043610610036575f3560e01c806364dd891a146101015780638da5cb5b14610114578063fbfa77cf14610163575f5ffd5b366100fd57336001600160a01b037f000000000000000000000000000000000000000000000000000000000000000016148015610074575060015f54115b156100fb575f805490806100878361035a565b91905055507f00000000000000000000000000000000000000000000000000000000000000006001600160a01b031663853828b66040518163ffffffff1660e01b81526004015f604051808303815f87803b1580156100e4575f5ffd5b505af11580156100f6573d5f5f3e3d5ffd5b505050505b005b5f5ffd5b6100fb61010f36600461037b565b610196565b34801561011f575f5ffd5b506101477f000000000000000000000000000000000000000000000000000000000000000081565b6040516001600160a01b03909116815260200160405180910390f35b34801561016e575f5ffd5b506101477f000000000000000000000000000000000000000000000000000000000000000081565b336001600160a01b037f000000000000000000000000000000000000000000000000000000000000000016146101df576040516330cd747160e01b815260040160405180910390fd5b805f819055507f00000000000000000000000000000000000000000000000000000000000000006001600160a01b031663d0e30db0346040518263ffffffff1660e01b81526004015f604051808303818588803b15801561023e575f5ffd5b505af1158015610250573d5f5f3e3d5ffd5b50505050507f00000000000000000000000000000000000000000000000000000000000000006001600160a01b031663853828b66040518163ffffffff1660e01b81526004015f604051808303815f87803b1580156102ad575f5ffd5b505af11580156102bf573d5f5f3e3d5ffd5b50505f8080556040519092506001600160a01b037f000000000000000000000000000000000000000000000000000000000000000016915047908381818185875af1925050503d805f811461032f576040519150601f19603f3d011682016040523d82523d5f602084013e610334565b606091505b5050905080610356576040516312171d8360e31b815260040160405180910390fd5b5050565b5f8161037457634e487b7160e01b5f52601160045260245ffd5b505f190190565b5f6020828403121561038b575f5ffd5b503591905056fea164736f6c6343000825000a",
}

// DrillAttacker is an auto generated Go binding around an Ethereum contract.
type DrillAttacker struct {
	abi abi.ABI
}

// GetABI returns the ABI associated with this contract binding.
func (c *DrillAttacker) GetABI() abi.ABI {
	return c.abi
}

// NewDrillAttacker creates a new instance of DrillAttacker.
func NewDrillAttacker() *DrillAttacker {
	parsed, err := DrillAttackerMetaData.ParseABI()
	if err != nil {
		panic(errors.New("invalid ABI: " + err.Error()))
	}
	return &DrillAttacker{abi: *parsed}
}

// Instance creates a wrapper for a deployed contract instance at the given address.
// Use this to create the instance object passed to abigen v2 library functions Call, Transact, etc.
func (c *DrillAttacker) Instance(backend bind.ContractBackend, addr common.Address) *bind.BoundContract {
	return bind.NewBoundContract(addr, c.abi, backend, backend, backend)
}

// PackConstructor is the Go binding used to pack the parameters required for
// contract deployment.
//
// Solidity: constructor(address vault_) returns()
func (drillAttacker *DrillAttacker) PackConstructor(vault_ common.Address) []byte {
	enc, err := drillAttacker.abi.Pack("", vault_)
	if err != nil {
		panic(err)
	}
	return enc
}

// PackAttack is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x64dd891a.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function attack(uint256 times) payable returns()
func (drillAttacker *DrillAttacker) PackAttack(times *big.Int) []byte {
	enc, err := drillAttacker.abi.Pack("attack", times)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackAttack is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x64dd891a.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function attack(uint256 times) payable returns()
func (drillAttacker *DrillAttacker) TryPackAttack(times *big.Int) ([]byte, error) {
	return drillAttacker.abi.Pack("attack", times)
}

// PackOwner is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x8da5cb5b.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function owner() view returns(address)
func (drillAttacker *DrillAttacker) PackOwner() []byte {
	enc, err := drillAttacker.abi.Pack("owner")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackOwner is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x8da5cb5b.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function owner() view returns(address)
func (drillAttacker *DrillAttacker) TryPackOwner() ([]byte, error) {
	return drillAttacker.abi.Pack("owner")
}

// UnpackOwner is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x8da5cb5b.
//
// Solidity: function owner() view returns(address)
func (drillAttacker *DrillAttacker) UnpackOwner(data []byte) (common.Address, error) {
	out, err := drillAttacker.abi.Unpack("owner", data)
	if err != nil {
		return *new(common.Address), err
	}
	out0 := *abi.ConvertType(out[0], new(common.Address)).(*common.Address)
	return out0, nil
}

// PackVault is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xfbfa77cf.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function vault() view returns(address)
func (drillAttacker *DrillAttacker) PackVault() []byte {
	enc, err := drillAttacker.abi.Pack("vault")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackVault is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xfbfa77cf.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function vault() view returns(address)
func (drillAttacker *DrillAttacker) TryPackVault() ([]byte, error) {
	return drillAttacker.abi.Pack("vault")
}

// UnpackVault is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xfbfa77cf.
//
// Solidity: function vault() view returns(address)
func (drillAttacker *DrillAttacker) UnpackVault(data []byte) (common.Address, error) {
	out, err := drillAttacker.abi.Unpack("vault", data)
	if err != nil {
		return *new(common.Address), err
	}
	out0 := *abi.ConvertType(out[0], new(common.Address)).(*common.Address)
	return out0, nil
}

// UnpackError attempts to decode the provided error data using user-defined
// error definitions.
func (drillAttacker *DrillAttacker) UnpackError(raw []byte) (any, error) {
	if bytes.Equal(raw[:4], drillAttacker.abi.Errors["NotOwner"].ID.Bytes()[:4]) {
		return drillAttacker.UnpackNotOwnerError(raw[4:])
	}
	if bytes.Equal(raw[:4], drillAttacker.abi.Errors["TransferFailed"].ID.Bytes()[:4]) {
		return drillAttacker.UnpackTransferFailedError(raw[4:])
	}
	return nil, errors.New("Unknown error")
}

// DrillAttackerNotOwner represents a NotOwner error raised by the DrillAttacker contract.
type DrillAttackerNotOwner struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error NotOwner()
func DrillAttackerNotOwnerErrorID() common.Hash {
	return common.HexToHash("0x30cd74712f59d478562d48e2d35de830db72c60a63dd08ae59199eec990b5bc4")
}

// UnpackNotOwnerError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error NotOwner()
func (drillAttacker *DrillAttacker) UnpackNotOwnerError(raw []byte) (*DrillAttackerNotOwner, error) {
	out := new(DrillAttackerNotOwner)
	if err := drillAttacker.abi.UnpackIntoInterface(out, "NotOwner", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// DrillAttackerTransferFailed represents a TransferFailed error raised by the DrillAttacker contract.
type DrillAttackerTransferFailed struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error TransferFailed()
func DrillAttackerTransferFailedErrorID() common.Hash {
	return common.HexToHash("0x90b8ec1877afffd816d05d9b13947f3ff18ec5851c38bad15ec2b710f92391b1")
}

// UnpackTransferFailedError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error TransferFailed()
func (drillAttacker *DrillAttacker) UnpackTransferFailedError(raw []byte) (*DrillAttackerTransferFailed, error) {
	out := new(DrillAttackerTransferFailed)
	if err := drillAttacker.abi.UnpackIntoInterface(out, "TransferFailed", raw); err != nil {
		return nil, err
	}
	return out, nil
}
